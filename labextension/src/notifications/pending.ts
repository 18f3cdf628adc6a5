/**
 * A tool call waiting for the user, as the kernel announced it (`approval.pending`).
 */

export interface IPending {
  callId: string;
  tool: string;
  source: string;
  arguments: string;
  card: string;
  cellId: string;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Read an `approval.pending` event's data; null when it names no call. */
export function readPending(data: unknown): IPending | null {
  const d = (data ?? {}) as Record<string, unknown>;
  const callId = str(d.call_id);
  const card = str(d.card);
  if (!callId || !/^[A-Za-z0-9_-]+$/.test(card)) {
    return null;
  }
  return {
    callId,
    tool: str(d.tool) || 'a tool',
    source: str(d.source),
    arguments: str(d.arguments),
    card,
    cellId: str(d.cell_id)
  };
}

/** The notification's one line (bounded; shown as text). */
export function pendingMessage(pending: IPending): string {
  const from = pending.source ? ` (${pending.source})` : '';
  const args =
    pending.arguments.length > 80
      ? `${pending.arguments.slice(0, 79)}…`
      : pending.arguments;
  return `jupyter-orch: ${pending.tool}${from} waits for your decision ${args}`.trim();
}
