/**
 * What the status-bar item says for a kernel's status (pure).
 */

export interface IStatus {
  state: string;
  pending?: number;
  tool?: string;
  elapsed?: number;
}

/** Read a `status` event's data defensively. */
export function readStatus(data: unknown): IStatus {
  const d = (data ?? {}) as Record<string, unknown>;
  return {
    state: typeof d.state === 'string' ? d.state : 'idle',
    pending: typeof d.pending === 'number' ? d.pending : undefined,
    tool: typeof d.tool === 'string' ? d.tool : undefined,
    elapsed: typeof d.elapsed === 'number' ? d.elapsed : undefined
  };
}

/** The item's text; `elapsed` is the tool's running time in seconds. */
export function statusText(status: IStatus, elapsed = 0): string {
  switch (status.state) {
    case 'waiting':
      return `jupyter-orch: waiting for your decision (${status.pending ?? 1})`;
    case 'tool':
      return `jupyter-orch: running ${status.tool ?? 'a tool'} · ${Math.floor(elapsed)} s`;
    case 'streaming':
      return 'jupyter-orch: streaming';
    case 'thinking':
      return 'jupyter-orch: waiting for the model';
    default:
      return 'jupyter-orch: idle';
  }
}
