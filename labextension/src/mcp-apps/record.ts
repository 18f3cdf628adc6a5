/**
 * What a cell's output says of an MCP App (`application/vnd.jupyter-orch.mcp-app+json`):
 * its id in the kernel and the names to show. The document itself is never in the output:
 * it comes from the live kernel, so a saved notebook shows a static view of the app.
 */

export const APP_MIME = 'application/vnd.jupyter-orch.mcp-app+json';

export interface IAppRef {
  appId: string;
  server: string;
  tool: string;
  title: string;
  uri: string;
}

function text(value: unknown, limit = 300): string {
  return typeof value === 'string' ? value.slice(0, limit) : '';
}

/** Read the output's record, or a one-line reason why it cannot be read. */
export function readAppRef(data: unknown): IAppRef | string {
  const d = (data ?? {}) as Record<string, unknown>;
  if (d.version !== 1) {
    return `this MCP App output has version ${String(d.version)}; this extension reads version 1`;
  }
  const appId = text(d.app_id, 64);
  if (!/^[A-Za-z0-9_-]+$/.test(appId)) {
    return 'this MCP App output has no valid app id';
  }
  const tool = text(d.tool);
  return {
    appId,
    server: text(d.server),
    tool,
    title: text(d.title) || tool,
    uri: text(d.uri, 2048)
  };
}

/** What the kernel answers to `mcp_apps.open`. */
export interface IOpenAnswer {
  state: 'open' | 'closed' | 'failed' | 'unknown';
  reason?: string;
  html?: string;
  csp?: Record<string, unknown>;
  prefersBorder?: boolean | null;
  server?: string;
  tool?: { name: string; inputSchema: unknown; [key: string]: unknown };
  arguments?: Record<string, unknown>;
  result?: unknown;
  callTimeout?: number;
}

/** Read the kernel's answer; anything malformed counts as a failure. */
export function readOpenAnswer(data: unknown): IOpenAnswer {
  const d = (data ?? {}) as Record<string, any>;
  const states = ['open', 'closed', 'failed', 'unknown'];
  if (!states.includes(d.state)) {
    return { state: 'failed', reason: 'the kernel gave no usable answer' };
  }
  if (d.state !== 'open') {
    return { state: d.state, reason: text(d.reason) };
  }
  const tool = d.tool;
  if (typeof d.html !== 'string' || !tool || typeof tool.name !== 'string') {
    return { state: 'failed', reason: 'the kernel sent an incomplete app' };
  }
  return {
    ...d,
    state: 'open',
    arguments:
      d.arguments && typeof d.arguments === 'object' ? d.arguments : {},
    tool: { ...tool, inputSchema: tool.inputSchema ?? { type: 'object' } }
  } as IOpenAnswer;
}
