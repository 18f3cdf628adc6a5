/**
 * Pure helpers of the side panel (no DOM): labels, usage, the context gauge, parameters.
 */
import type { BridgeState } from '../bridge/tokens';
import { formatCost } from '../turn-renderer/format';
import type { IUsage } from './protocol';

/** "1,234 prompt + 56 completion tokens · $0.0012" ('' when nothing was used yet). */
export function formatUsage(usage: IUsage): string {
  const { promptTokens, completionTokens, cost } = usage;
  if (!promptTokens && !completionTokens) {
    return 'no tokens used yet';
  }
  const tokens =
    `${promptTokens.toLocaleString('en-US')} prompt + ` +
    `${completionTokens.toLocaleString('en-US')} completion tokens`;
  const money = formatCost(cost);
  return money ? `${tokens} · ${money}` : tokens;
}

/** How full the context window is: a fraction (null when the window is unknown) and words. */
export function gauge(
  used: number,
  window: number | null
): { fraction: number | null; text: string } {
  const tokens = `~${used.toLocaleString('en-US')} tokens`;
  if (!window || window <= 0) {
    return { fraction: null, text: `context: ${tokens} (window unknown)` };
  }
  const fraction = Math.min(1, used / window);
  const percent = Math.round(fraction * 100);
  return {
    fraction,
    text: `context: ${tokens} of ${window.toLocaleString('en-US')} (${percent}%)`
  };
}

/** What the panel says about the kernel it is on. */
export function kernelLabel(
  name: string,
  kernel: string,
  state: BridgeState | 'none'
): string {
  if (state === 'none') {
    return 'Open a notebook or a console to chat with its kernel.';
  }
  const where = [name, kernel].filter(Boolean).join(' · ');
  const words: Record<string, string> = {
    connected: '',
    connecting: ' (connecting…)',
    absent: ' (jupyter-orch is not loaded: run %load_ext jupyter_orch)',
    refused: ' (the bridge was refused)',
    closed: ' (not connected)'
  };
  return `${where}${words[state] ?? ''}`;
}

/** The model parameters typed in the panel, checked; a one-line error otherwise. */
export function readParams(
  temperature: string,
  maxTokens: string
): { params: Record<string, number> } | { error: string } {
  const params: Record<string, number> = {};
  if (temperature.trim()) {
    const value = Number(temperature);
    if (!isFinite(value) || value < 0 || value > 2) {
      return { error: 'temperature must be a number from 0 to 2' };
    }
    params.temperature = value;
  }
  if (maxTokens.trim()) {
    const value = Number(maxTokens);
    if (!Number.isInteger(value) || value < 1) {
      return { error: 'max tokens must be a whole number of at least 1' };
    }
    params.max_tokens = value;
  }
  return { params };
}

/** The models the picker offers: the configured one first, then the recent ones, once. */
export function modelChoices(
  configured: string,
  recent: string[],
  typed: string[]
): string[] {
  const out: string[] = [];
  for (const model of [configured, ...recent, ...typed]) {
    if (model && !out.includes(model)) {
      out.push(model);
    }
  }
  return out;
}

/** Whether a keydown in the message box sends (Enter) or adds a newline (Shift+Enter). */
export function sendsOnKey(event: {
  key: string;
  shiftKey: boolean;
  isComposing?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
}): boolean {
  return (
    event.key === 'Enter' &&
    !event.shiftKey &&
    !event.isComposing &&
    !event.altKey &&
    !event.ctrlKey &&
    !event.metaKey
  );
}

/** A decision in words, from an `approval.decided` event ("approved by you"...). */
export function decidedWords(approved: boolean, by: string): string {
  if (by === 'expired') {
    return 'expired';
  }
  const who: Record<string, string> = {
    user: 'you',
    headless: 'the headless policy',
    policy: 'policy'
  };
  return `${approved ? 'approved' : 'rejected'} by ${who[by] ?? (by || 'someone')}`;
}
