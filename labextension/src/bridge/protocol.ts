/**
 * The bridge's wire format (docs/bridge.md): the page opens one comm per kernel connection
 * to KERNEL_TARGET with a handshake; the kernel announces itself to PAGE_TARGET.
 */

export const PROTOCOL = 1;
export const KERNEL_TARGET = 'jupyter_orch.bridge';
export const PAGE_TARGET = 'jupyter_orch.page';

/** Milliseconds a page's request waits for the kernel's answer. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface IHandshake {
  protocol: number;
  page: { id: string; app: string; version: string };
  capabilities: string[];
}

export interface IWelcome {
  type: 'welcome';
  protocol: number;
  kernel: Record<string, unknown>;
  capabilities: string[];
  methods: string[];
  state: unknown;
}

export type Message =
  | IWelcome
  | { type: 'refused'; protocol: number; message: string }
  | { type: 'request'; id: string; method: string; params: unknown }
  | {
      type: 'response';
      id: string;
      result?: unknown;
      error?: { message: string };
    }
  | { type: 'event'; event: string; data: unknown }
  | { type: 'goodbye'; reason?: string };

/** Collapse a message to one bounded line (errors travel and show as one line). */
export function oneLine(text: unknown, limit = 300): string {
  const line = String(text).split(/\s+/).filter(Boolean).join(' ');
  return line.length <= limit ? line : `${line.slice(0, limit - 1)}…`;
}

/** Read a comm message's data as a bridge message, or null. */
export function asMessage(data: unknown): Message | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return null;
  }
  const type = (data as { type?: unknown }).type;
  return typeof type === 'string' ? (data as Message) : null;
}
