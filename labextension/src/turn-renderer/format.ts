/**
 * Pure formatting helpers of the turn renderer (no DOM).
 */
import type { IDecision, IToolCall, ITurn } from './record';

/** Seconds as "1 ms", "0.42 s", "12.3 s" or "2 min 5 s". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || seconds < 0) {
    return '';
  }
  if (seconds < 1) {
    return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  }
  if (seconds < 60) {
    return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** A cost in dollars, with enough digits to be seen ("$0.00042"). */
export function formatCost(cost: number | null): string {
  if (cost === null) {
    return '';
  }
  if (cost === 0) {
    return '$0';
  }
  return cost >= 0.01 ? `$${cost.toFixed(2)}` : `$${cost.toPrecision(2)}`;
}

/** "12 → 160 tokens" (prompt → completion). */
export function formatTokens(prompt: number, completion: number): string {
  if (!prompt && !completion) {
    return '';
  }
  return `${prompt.toLocaleString('en-US')} → ${completion.toLocaleString('en-US')} tokens`;
}

/** Model parameters as "temperature=0.2, max_tokens=50" (transport settings left out). */
export function formatParams(params: Record<string, unknown>): string {
  const hidden = new Set(['api_base', 'api_key', 'base_url', 'timeout']);
  return Object.entries(params)
    .filter(([key]) => !hidden.has(key) && !/headers?$/i.test(key))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(', ');
}

/** The arguments of a call as pretty JSON (the validated ones, else the model's text). */
export function prettyArguments(call: IToolCall): string {
  if (call.arguments !== null && call.arguments !== undefined) {
    return JSON.stringify(call.arguments, null, 2);
  }
  try {
    return JSON.stringify(JSON.parse(call.argumentsJson), null, 2);
  } catch {
    return call.argumentsJson;
  }
}

/**
 * The string arguments worth showing as code of their own (several lines, e.g. the `code`
 * of `run_python`), by name.
 */
export function codeArguments(call: IToolCall): [string, string][] {
  const args = call.arguments;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return [];
  }
  return Object.entries(args as Record<string, unknown>).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === 'string' && entry[1].includes('\n')
  );
}

/** Who decided, in words: "approved by you", "rejected by the headless policy"... */
export function decisionText(decision: IDecision | null): string {
  if (decision === null) {
    return 'not run (the call was invalid)';
  }
  const who: Record<string, string> = {
    user: 'you',
    policy: 'the tool policy',
    session: 'your "always allow" for this session',
    headless: 'the headless policy',
    expired: 'expiry (no decision in time)',
    replay: 'the recording (replay)'
  };
  const outcome =
    decision.outcome === 'automatic' ? 'ran automatically' : decision.outcome;
  const by = who[decision.by] ?? (decision.by || 'unknown');
  return decision.outcome === 'automatic'
    ? `${outcome} (${by})`
    : `${outcome} by ${by}`;
}

/** The scope of a decision: this call only, or the tool for the session. */
export function decisionScope(decision: IDecision | null): string {
  if (decision === null) {
    return '';
  }
  if (decision.always || decision.by === 'session') {
    return 'this tool, for the rest of the session';
  }
  if (decision.by === 'policy') {
    return 'every call of this tool (its policy)';
  }
  return 'this call only';
}

/** A short state word for a call's summary line. */
export function callState(call: IToolCall): string {
  // A rejected call's result is an error result too: the rejection is what happened.
  if (call.decision && !call.decision.approved) {
    return call.decision.outcome === 'expired' ? 'expired' : 'rejected';
  }
  if (call.result?.isError) {
    return 'error';
  }
  return call.decision?.outcome === 'automatic' ? 'automatic' : 'approved';
}

/** A fence of backticks longer than any run of backticks in `text`. */
export function fence(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const longest = runs.reduce((n, run) => Math.max(n, run.length), 0);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** `text` as a fenced Markdown code block of `language`. */
export function fenced(text: string, language = ''): string {
  const f = fence(text);
  return `${f}${language}\n${text}\n${f}`;
}

/** A thread name safe to put on a magic line (letters, digits, `_`, `-`, `.`). */
export function safeName(name: string): string {
  return (
    name
      .replace(/[^\w.-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '') || 'thread'
  );
}

/** The `%chat fork` line that branches the thread from this turn (turns count from 1). */
export function forkCommand(turn: ITurn): string {
  const number = turn.position + 1;
  return `%chat fork ${safeName(turn.thread)}-from-${number} --turn ${number}`;
}

/** How the turn ended, when it did not simply finish. */
export function endNote(turn: ITurn): string {
  if (turn.status === 'failed') {
    return turn.error || 'the turn failed';
  }
  if (turn.status === 'interrupted') {
    return turn.stop === 'killed'
      ? 'the kernel stopped during this turn: the answer is partial'
      : 'interrupted: the answer is partial';
  }
  if (turn.status === 'running') {
    return 'still running when saved';
  }
  if (turn.stop === 'max_rounds') {
    return 'stopped after the maximum number of tool rounds';
  }
  if (turn.stop === 'length') {
    return 'the answer was cut at the token limit';
  }
  return '';
}

/** The answer's text, split by model call, with each call's tool calls after its text. */
export function segments(turn: ITurn): { text: string; calls: IToolCall[] }[] {
  const rounds = turn.rounds.length
    ? turn.rounds
    : [{ index: 0, text: turn.answer }];
  const roundText = rounds.map(r => r.text).join('');
  const out = rounds.map((round, i) => ({
    text: round.text,
    calls: turn.toolCalls.filter(c =>
      i === rounds.length - 1 ? c.round >= round.index : c.round === round.index
    )
  }));
  if (!roundText.trim() && turn.answer.trim()) {
    out[out.length - 1].text = turn.answer;
  }
  return out;
}
