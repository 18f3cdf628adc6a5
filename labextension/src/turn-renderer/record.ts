/**
 * The turn record (`application/vnd.jupyter-orch.turn+json`, schema in docs/transcript.md),
 * read defensively: a saved notebook can hold anything, so every field is checked and a
 * missing or malformed one becomes a safe default.
 */

export const TURN_MIME = 'application/vnd.jupyter-orch.turn+json';

/** The schema versions this renderer reads. */
export const SCHEMA_VERSION = 1;

export interface IDecision {
  outcome: string;
  approved: boolean;
  by: string;
  reason: string;
  always: boolean;
}

export interface IToolCall {
  id: string;
  name: string;
  round: number;
  argumentsJson: string;
  arguments: unknown;
  source: string;
  server: string;
  policy: string;
  decision: IDecision | null;
  result: { text: string; isError: boolean; structured: unknown } | null;
  seconds: number | null;
  /** What the call changed (a notebook edit), as its card showed it. */
  change: {
    title: string;
    diff: string;
    code: string;
    language: string;
  } | null;
  /** What the server asked the user during the call, and the answer (redacted). */
  elicitations: IElicitation[];
}

export interface IElicitation {
  mode: string;
  message: string;
  fields: string[];
  url: string;
  action: string;
  reason: string;
  content: unknown;
}

export interface IRound {
  index: number;
  text: string;
}

export interface ITurn {
  version: number;
  id: string;
  parent: string;
  thread: string;
  position: number;
  cellId: string;
  executionCount: number | null;
  status: string;
  stop: string;
  error: string;
  model: string;
  params: Record<string, unknown>;
  prompt: string;
  answer: string;
  rounds: IRound[];
  toolCalls: IToolCall[];
  toolsOffered: string[];
  toolsHash: string;
  promptTokens: number;
  completionTokens: number;
  cost: number | null;
  firstTokenS: number | null;
  totalS: number | null;
  startedAt: string;
  endedAt: string;
  versions: Record<string, string>;
  mcpServers: Record<string, string>;
  replay: string;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Obj)
    : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number | null {
  return typeof value === 'number' && isFinite(value) ? value : null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(obj(value))) {
    if (typeof item === 'string') {
      out[key] = item;
    }
  }
  return out;
}

/**
 * The text of a tool result's content: a string, or content parts (text parts joined, other
 * parts named by their type).
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  return list(content)
    .map(part => {
      const p = obj(part);
      return p.type === 'text' ? str(p.text) : `[${str(p.type) || 'part'}]`;
    })
    .join('\n');
}

function readDecision(value: unknown): IDecision | null {
  const d = obj(value);
  if (!('outcome' in d)) {
    return null;
  }
  return {
    outcome: str(d.outcome),
    approved: d.approved === true,
    by: str(d.by),
    reason: str(d.reason),
    always: d.always === true
  };
}

function readCall(value: unknown): IToolCall {
  const c = obj(value);
  const result = 'result' in c && c.result !== null ? obj(c.result) : null;
  return {
    id: str(c.id),
    name: str(c.name) || '(unnamed tool)',
    round: num(c.round) ?? 0,
    argumentsJson: str(c.arguments_json),
    arguments: c.arguments ?? null,
    source: str(c.source),
    server: str(c.server),
    policy: str(c.policy),
    decision: readDecision(c.decision),
    result: result && {
      text: contentText(result.content),
      isError: result.is_error === true,
      structured: result.structured ?? null
    },
    seconds: num(c.seconds),
    change: readChange(c.change),
    elicitations: Array.isArray(c.elicitations)
      ? c.elicitations.map(readElicitation)
      : []
  };
}

function readElicitation(value: unknown): IElicitation {
  const e = obj(value);
  return {
    mode: str(e.mode),
    message: str(e.message),
    fields: Array.isArray(e.fields) ? e.fields.map(str) : [],
    url: str(e.url),
    action: str(e.action),
    reason: str(e.reason),
    content: e.content ?? null
  };
}

function readChange(value: unknown): IToolCall['change'] {
  if (value === null || typeof value !== 'object') {
    return null;
  }
  const c = obj(value);
  return {
    title: str(c.title),
    diff: str(c.diff),
    code: str(c.code),
    language: str(c.language) || 'python'
  };
}

/**
 * Read a turn record; return a one-line reason instead when it cannot be shown.
 */
export function readTurn(data: unknown): ITurn | string {
  const r = obj(data);
  if (r.kind !== 'turn') {
    return 'not a jupyter-orch turn record';
  }
  const version = num(r.version) ?? 0;
  if (version < 1 || version > SCHEMA_VERSION) {
    return `turn record of schema ${version}: this extension reads up to ${SCHEMA_VERSION}`;
  }
  const usage = obj(r.usage);
  const latency = obj(r.latency);
  const versions = obj(r.versions);
  return {
    version,
    id: str(r.id),
    parent: str(r.parent),
    thread: str(r.thread) || 'default',
    position: num(r.position) ?? 0,
    cellId: str(r.cell_id),
    executionCount: num(r.execution_count),
    status: str(r.status),
    stop: str(r.stop),
    error: str(r.error),
    model: str(r.model),
    params: obj(r.params),
    prompt: str(r.prompt),
    answer: str(r.answer),
    rounds: list(r.rounds).map(x => ({
      index: num(obj(x).index) ?? 0,
      text: str(obj(x).text)
    })),
    toolCalls: list(r.tool_calls).map(readCall),
    toolsOffered: list(r.tools_offered).filter(
      (x): x is string => typeof x === 'string'
    ),
    toolsHash: str(r.tools_hash),
    promptTokens: num(usage.prompt_tokens) ?? 0,
    completionTokens: num(usage.completion_tokens) ?? 0,
    cost: num(r.cost) ?? num(usage.cost),
    firstTokenS: num(latency.first_token_s),
    totalS: num(latency.total_s),
    startedAt: str(r.started_at),
    endedAt: str(r.ended_at),
    versions: strings(versions),
    mcpServers: strings(versions.mcp_servers),
    replay: str(r.replay)
  };
}
