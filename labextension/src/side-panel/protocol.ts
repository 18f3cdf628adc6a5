/**
 * What the kernel's side panel methods answer and send (docs/bridge.md), read defensively:
 * everything from the kernel may come from a model, a tool or a server, and is shown as text.
 */

type Obj = Record<string, unknown>;

export function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Obj)
    : {};
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && isFinite(value) ? value : null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export interface IUsage {
  promptTokens: number;
  completionTokens: number;
  cost: number | null;
}

export interface IThreadInfo {
  name: string;
  turns: number;
  lastModel: string;
  busy: string;
  usage: IUsage;
}

export interface IThreadList {
  current: string;
  threads: IThreadInfo[];
}

export interface IHistory {
  thread: string;
  earlier: number;
  records: Obj[];
  running: string[];
  busy: string;
}

export interface IToolEntry {
  name: string;
  source: string;
  sourceWords: string;
  description: string;
  policy: string;
  fixed: boolean;
  allowed: string;
  locked: boolean;
}

export interface IServerEntry {
  name: string;
  state: string;
  error: string;
  server: string;
  tools: number;
}

export interface IUsageReport {
  usage: IUsage;
  all: IUsage;
  used: number;
  window: number | null;
  model: string;
}

export function readUsage(value: unknown): IUsage {
  const u = obj(value);
  return {
    promptTokens: num(u.prompt_tokens) ?? 0,
    completionTokens: num(u.completion_tokens) ?? 0,
    cost: num(u.cost)
  };
}

function readThread(value: unknown): IThreadInfo {
  const t = obj(value);
  return {
    name: str(t.name) || 'default',
    turns: num(t.turns) ?? 0,
    lastModel: str(t.last_model),
    busy: str(t.busy),
    usage: readUsage(t.usage)
  };
}

export function readThreadList(value: unknown): IThreadList {
  const v = obj(value);
  return {
    current: str(v.current) || 'default',
    threads: list(v.threads).map(readThread)
  };
}

export function readHistory(value: unknown): IHistory {
  const v = obj(value);
  return {
    thread: str(v.thread) || 'default',
    earlier: num(v.earlier) ?? 0,
    records: list(v.records).map(obj),
    running: list(v.running).filter((x): x is string => typeof x === 'string'),
    busy: str(v.busy)
  };
}

export function readTools(value: unknown): IToolEntry[] {
  return list(obj(value).tools).map(item => {
    const t = obj(item);
    return {
      name: str(t.name),
      source: str(t.source),
      sourceWords: str(t.source_words) || str(t.source),
      description: str(t.description),
      policy: str(t.policy) || 'ask',
      fixed: t.fixed === true,
      allowed: str(t.allowed),
      locked: t.locked === true
    };
  });
}

export function readServers(value: unknown): IServerEntry[] {
  return list(obj(value).servers).map(readServer);
}

export function readServer(value: unknown): IServerEntry {
  const s = obj(value);
  return {
    name: str(s.name),
    state: str(s.state) || 'unknown',
    error: str(s.error),
    server: str(s.server),
    tools: num(s.tools) ?? 0
  };
}

export function readUsageReport(value: unknown): IUsageReport {
  const v = obj(value);
  const context = obj(v.context);
  return {
    usage: readUsage(v.usage),
    all: readUsage(v.all),
    used: num(context.used) ?? 0,
    window: num(context.window),
    model: str(context.model)
  };
}

export function readModels(value: unknown): {
  configured: string;
  recent: string[];
} {
  const v = obj(value);
  return {
    configured: str(v.configured),
    recent: list(v.recent).filter((x): x is string => typeof x === 'string')
  };
}

/** A `chat` event: one step of a panel turn. */
export interface IChatEvent {
  turn: string;
  thread: string;
  kind: string;
  data: Obj;
}

export function readChatEvent(value: unknown): IChatEvent | null {
  const v = obj(value);
  const turn = str(v.turn);
  const kind = str(v.kind);
  if (!turn || !kind) {
    return null;
  }
  return { turn, thread: str(v.thread) || 'default', kind, data: v };
}

/** A tool call waiting for (or past) its decision, as a card shows it. */
export interface ICallCard {
  callId: string;
  name: string;
  source: string;
  sourceWords: string;
  description: string;
  hints: string[];
  arguments: string;
  pending: boolean;
  scopes: string[];
  position: number;
  total: number;
  changed: string;
  cellId: string;
}

/** From a `chat` event of kind `tool`. */
export function readToolEvent(data: Obj): ICallCard {
  return {
    callId: str(data.call_id),
    name: str(data.name) || 'a tool',
    source: str(data.source),
    sourceWords: str(data.source_words) || str(data.source),
    description: str(data.description),
    hints: list(data.hints).filter((x): x is string => typeof x === 'string'),
    arguments: str(data.arguments),
    pending: data.pending === true,
    scopes: list(data.scopes).filter((x): x is string => typeof x === 'string'),
    position: num(data.position) ?? 1,
    total: num(data.total) ?? 1,
    changed: str(data.changed),
    cellId: ''
  };
}

/** From an `approval.pending` event (a cell's call, or a panel turn's). */
export function readPendingEvent(value: unknown): ICallCard | null {
  const d = obj(value);
  const callId = str(d.call_id);
  if (!callId) {
    return null;
  }
  return {
    callId,
    name: str(d.tool) || 'a tool',
    source: str(d.source),
    sourceWords: str(d.source),
    description: '',
    hints: [],
    arguments: str(d.arguments),
    pending: true,
    scopes: ['once', 'session', 'always'],
    position: 1,
    total: 1,
    changed: '',
    cellId: str(d.cell_id)
  };
}
