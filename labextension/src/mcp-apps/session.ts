/**
 * The host's side of one app's conversation: the `ui/initialize` handshake, the tool's
 * input and result once the app says it is initialized, resizes, and what the app asks
 * (its server's tools, links, logs), each routed to the host's handlers.
 *
 * Pure: no DOM. The frame hands it what the app posted and gives it a way to post back.
 */
import {
  failure,
  INTERNAL_ERROR,
  INVALID_PARAMS,
  isNotification,
  isRequest,
  METHOD_NOT_FOUND,
  negotiatedVersion,
  notification,
  readMessage,
  REFUSED,
  request,
  result,
  type IRequest,
  type IResponse,
  type RpcMessage
} from './protocol';

/** What the kernel said of the app (`mcp_apps.open`). */
export interface IOpenedApp {
  server: string;
  tool: { name: string; inputSchema: unknown; [key: string]: unknown };
  arguments: Record<string, unknown>;
  result: unknown;
}

/** What the session needs of its host: the kernel, the user, the frame's size. */
export interface IAppHostSide {
  /** The host's name and version (`hostInfo`). */
  readonly info: { name: string; version: string };
  /** The capabilities the host grants (`hostCapabilities`). */
  readonly capabilities: Record<string, unknown>;
  /** The context the app starts with (`hostContext`, without `toolInfo`). */
  context(): Record<string, unknown>;
  /** Run one of the app's server's tools (through the kernel's policy); the raw result. */
  callTool(name: string, args: Record<string, unknown>): Promise<unknown>;
  /** Ask the user, then open `url`; whether it was opened. */
  openLink(url: string): Promise<boolean>;
  /** The app's content is `height` pixels high. */
  resize(height: number): void;
  /** The app logged something (`notifications/message`). */
  log(params: unknown): void;
}

export type SessionState = 'starting' | 'initialized' | 'closing' | 'closed';

/** How long a teardown waits for the app's answer before the frame goes anyway. */
export const TEARDOWN_MS = 1000;

export class AppSession {
  constructor(
    private readonly _app: IOpenedApp,
    private readonly _host: IAppHostSide,
    private readonly _post: (message: RpcMessage) => void
  ) {}

  get state(): SessionState {
    return this._state;
  }

  /** Handle what the app posted (anything not JSON-RPC is ignored). */
  receive(data: unknown): void {
    const message = this._state === 'closed' ? null : readMessage(data);
    if (!message) {
      return;
    }
    if (this._state === 'closing') {
      // Only the teardown's answer is read now; the app may ask nothing more.
      if (!('method' in message)) {
        this._answered(message);
      }
      return;
    }
    if (isRequest(message)) {
      void this._answer(message);
    } else if (isNotification(message)) {
      this._notified(message.method, message.params ?? {});
    } else {
      this._answered(message as IResponse);
    }
  }

  /** Tell the app its container changed (only once it is initialized). */
  contextChanged(context: Record<string, unknown>): void {
    if (this._state === 'initialized') {
      this._post(
        notification('ui/notifications/host-context-changed', context)
      );
    }
  }

  /** Ask the app to tear down; resolves on its answer or after `timeoutMs`. */
  teardown(reason: string, timeoutMs = TEARDOWN_MS): Promise<void> {
    if (this._state === 'closed' || this._state === 'closing') {
      return Promise.resolve();
    }
    if (this._state === 'starting') {
      this._state = 'closed'; // nothing may be sent before the app is initialized
      return Promise.resolve();
    }
    this._state = 'closing';
    const id = `teardown-${++this._count}`;
    return new Promise(resolve => {
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this._waiting.delete(id);
        this._state = 'closed';
        resolve();
      };
      this._waiting.set(id, finish);
      this._post(request(id, 'ui/resource-teardown', { reason }));
    });
  }

  private async _answer(message: IRequest): Promise<void> {
    let answer: IResponse;
    try {
      answer = await this._handle(message);
    } catch (error) {
      answer = failure(message.id, INTERNAL_ERROR, errorText(error));
    }
    if (this._state === 'starting' || this._state === 'initialized') {
      this._post(answer);
    }
  }

  private async _handle(message: IRequest): Promise<IResponse> {
    const { id, method } = message;
    const params = message.params ?? {};
    switch (method) {
      case 'ui/initialize':
        return result(id, this._initialize(params));
      case 'ping':
        return result(id, {});
      case 'tools/call':
        return this._callTool(id, params);
      case 'ui/open-link':
        return this._openLink(id, params);
      default:
        return failure(
          id,
          METHOD_NOT_FOUND,
          `this host does not offer ${method}`
        );
    }
  }

  private _initialize(
    params: Record<string, unknown>
  ): Record<string, unknown> {
    const { name, inputSchema, title, description } = this._app.tool;
    const tool: Record<string, unknown> = { name, inputSchema };
    if (title) {
      tool.title = title;
    }
    if (description) {
      tool.description = description;
    }
    return {
      protocolVersion: negotiatedVersion(params.protocolVersion),
      hostInfo: this._host.info,
      hostCapabilities: this._host.capabilities,
      hostContext: { toolInfo: { tool }, ...this._host.context() }
    };
  }

  private async _callTool(id: IRequest['id'], params: any): Promise<IResponse> {
    const name = params.name;
    const args = params.arguments ?? {};
    if (
      typeof name !== 'string' ||
      !name ||
      typeof args !== 'object' ||
      Array.isArray(args)
    ) {
      return failure(
        id,
        INVALID_PARAMS,
        'tools/call needs a tool name and an arguments object'
      );
    }
    try {
      return result(id, await this._host.callTool(name, args));
    } catch (error) {
      return failure(id, REFUSED, errorText(error));
    }
  }

  private async _openLink(id: IRequest['id'], params: any): Promise<IResponse> {
    if (typeof params.url !== 'string') {
      return failure(id, INVALID_PARAMS, 'ui/open-link needs a url');
    }
    const opened = await this._host.openLink(params.url);
    return opened ? result(id, {}) : result(id, { isError: true });
  }

  private _notified(method: string, params: any): void {
    switch (method) {
      case 'ui/notifications/initialized':
        this._initialized();
        break;
      case 'ui/notifications/size-changed':
        if (
          typeof params.height === 'number' &&
          Number.isFinite(params.height)
        ) {
          this._host.resize(params.height);
        }
        break;
      case 'notifications/message':
        this._host.log(params);
        break;
      default:
        break; // other notifications (request-teardown, list_changed) change nothing here
    }
  }

  private _initialized(): void {
    if (this._state !== 'starting') {
      return;
    }
    this._state = 'initialized';
    // The spec's order: the input, at most once, then the result.
    this._post(
      notification('ui/notifications/tool-input', {
        arguments: this._app.arguments
      })
    );
    if (this._app.result !== null && this._app.result !== undefined) {
      this._post(
        notification('ui/notifications/tool-result', this._app.result)
      );
    }
  }

  private _answered(message: IResponse): void {
    this._waiting.get(String(message.id))?.();
  }

  private _state: SessionState = 'starting';
  private _count = 0;
  private _waiting = new Map<string, () => void>();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
