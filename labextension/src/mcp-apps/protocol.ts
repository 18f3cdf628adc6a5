/**
 * The MCP Apps wire between the host (this page) and an app (its iframe): JSON-RPC 2.0
 * over `postMessage`, as the Apps extension (`io.modelcontextprotocol/ui`) defines it.
 */

/** Protocol versions this host speaks, newest first. */
export const PROTOCOL_VERSIONS = ['2026-01-26', '2025-11-21'];

export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** The host refused what the app asked (a link, a closed app). */
export const REFUSED = -32000;

export type Id = string | number;

export interface IRequest {
  jsonrpc: '2.0';
  id: Id;
  method: string;
  params?: any;
}

export interface INotification {
  jsonrpc: '2.0';
  method: string;
  params?: any;
}

export interface IResponse {
  jsonrpc: '2.0';
  id: Id;
  result?: any;
  error?: { code: number; message: string };
}

export type RpcMessage = IRequest | INotification | IResponse;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Read what an app posted as a JSON-RPC message; anything else is `null` (ignored). */
export function readMessage(data: unknown): RpcMessage | null {
  if (!isObject(data) || data.jsonrpc !== '2.0') {
    return null;
  }
  const id = data.id;
  const hasId = typeof id === 'string' || typeof id === 'number';
  if (typeof data.method === 'string') {
    if (data.params !== undefined && !isObject(data.params)) {
      return null;
    }
    return data as unknown as IRequest | INotification;
  }
  if (hasId && ('result' in data || isObject(data.error))) {
    return data as unknown as IResponse;
  }
  return null;
}

export function isRequest(message: RpcMessage): message is IRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

export function isNotification(message: RpcMessage): message is INotification {
  return 'method' in message && !('id' in message && message.id !== undefined);
}

export function result(id: Id, value: unknown): IResponse {
  return { jsonrpc: '2.0', id, result: value };
}

export function failure(id: Id, code: number, message: string): IResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

export function notification(method: string, params: unknown): INotification {
  return { jsonrpc: '2.0', method, params };
}

export function request(id: Id, method: string, params: unknown): IRequest {
  return { jsonrpc: '2.0', id, method, params };
}

/** The version to answer `ui/initialize` with: the app's when this host speaks it. */
export function negotiatedVersion(asked: unknown): string {
  return typeof asked === 'string' && PROTOCOL_VERSIONS.includes(asked)
    ? asked
    : PROTOCOL_VERSIONS[0];
}
