/**
 * One bridge connection: a comm to the kernel's jupyter-orch, with the handshake, requests
 * (ids and timeouts, both ways) and events.
 */
import type { Kernel } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import {
  asMessage,
  DEFAULT_TIMEOUT_MS,
  KERNEL_TARGET,
  oneLine,
  PROTOCOL,
  type IHandshake,
  type IWelcome,
  type Message
} from './protocol';
import type { BridgeState, IBridgeConnection, RequestHandler } from './tokens';

interface IWaiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface IConnectionHooks {
  handler(method: string): RequestHandler | undefined;
  event(connection: BridgeConnection, name: string, data: unknown): void;
  changed(connection: BridgeConnection): void;
}

export class BridgeConnection implements IBridgeConnection {
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    private readonly _hooks: IConnectionHooks
  ) {}

  get state(): BridgeState {
    return this._state;
  }
  get message(): string {
    return this._message;
  }
  get capabilities(): string[] {
    return this._welcome?.capabilities ?? [];
  }
  get methods(): string[] {
    return this._welcome?.methods ?? [];
  }
  get welcomeState(): unknown {
    return this._welcome?.state ?? null;
  }
  get stateChanged(): Signal<this, BridgeState> {
    return this._stateChanged;
  }

  /** Open the comm with the handshake (again, after a restart or an announcement). */
  open(handshake: IHandshake): void {
    if (this._state === 'connecting' || this._state === 'connected') {
      return;
    }
    this._welcome = null;
    this._setState('connecting', '');
    let comm: Kernel.IComm;
    try {
      comm = this.kernel.createComm(KERNEL_TARGET);
    } catch (error) {
      this._setState('closed', oneLine(error));
      return;
    }
    this._comm = comm;
    comm.onMsg = msg => this._received(asMessage(msg.content.data));
    comm.onClose = () => this._closed(comm);
    comm.open(handshake as any);
  }

  /** Forget the comm (the kernel restarted or went away). */
  reset(state: BridgeState = 'closed'): void {
    this._comm = null;
    this._failAll('the kernel restarted');
    this._setState(state, '');
  }

  /** Say goodbye (the page is going away) and close the comm. */
  goodbye(): void {
    const comm = this._comm;
    if (comm && !comm.isDisposed && this._state === 'connected') {
      comm.send({ type: 'goodbye' });
      comm.close();
    }
  }

  /** Tell the kernel this page's capabilities changed. */
  updateCapabilities(capabilities: string[]): void {
    this._send({ type: 'capabilities', capabilities } as any);
  }

  request(
    method: string,
    params: unknown = null,
    timeoutMs = DEFAULT_TIMEOUT_MS
  ): Promise<unknown> {
    if (this._state !== 'connected') {
      return Promise.reject(
        new Error('jupyter-orch bridge: not connected to the kernel')
      );
    }
    const id = `p${++this._count}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._waiting.delete(id);
        reject(
          new Error(
            `jupyter-orch bridge: the kernel did not answer '${method}' within ${timeoutMs / 1000} s`
          )
        );
      }, timeoutMs);
      this._waiting.set(id, { resolve, reject, timer });
      this._send({ type: 'request', id, method, params });
    });
  }

  private _send(message: Message): void {
    const comm = this._comm;
    if (comm && !comm.isDisposed) {
      comm.send(message as any);
    }
  }

  private _received(message: Message | null): void {
    if (!message) {
      return;
    }
    switch (message.type) {
      case 'welcome':
        this._welcomed(message);
        break;
      case 'refused':
        this._setState('refused', oneLine(message.message));
        console.warn(message.message);
        break;
      case 'response':
        this._answered(message);
        break;
      case 'request':
        void this._answer(message.id, message.method, message.params);
        break;
      case 'event':
        this._hooks.event(this, message.event, message.data);
        break;
      case 'goodbye':
        this._setState('absent', 'jupyter-orch was unloaded in the kernel');
        break;
    }
  }

  private _welcomed(welcome: IWelcome): void {
    if (welcome.protocol !== PROTOCOL) {
      const text =
        `jupyter-orch bridge: the kernel speaks protocol ${welcome.protocol} and this page ` +
        `speaks ${PROTOCOL}; install the same jupyter-orch version in both`;
      this._setState('refused', text);
      this._comm?.close();
      return;
    }
    this._welcome = welcome;
    this._setState('connected', '');
  }

  private _answered(message: Extract<Message, { type: 'response' }>): void {
    const waiting = this._waiting.get(message.id);
    if (!waiting) {
      return;
    }
    this._waiting.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error) {
      waiting.reject(
        new Error(`jupyter-orch: ${oneLine(message.error.message)}`)
      );
    } else {
      waiting.resolve(message.result ?? null);
    }
  }

  private async _answer(
    id: string,
    method: string,
    params: unknown
  ): Promise<void> {
    const handler = this._hooks.handler(method);
    if (!handler) {
      this._send({
        type: 'response',
        id,
        error: { message: `unknown method '${method}'` }
      });
      return;
    }
    try {
      const result = await handler(params, this);
      this._send({ type: 'response', id, result: result ?? null });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this._send({ type: 'response', id, error: { message: oneLine(text) } });
    }
  }

  private _closed(comm: Kernel.IComm): void {
    if (comm !== this._comm) {
      return;
    }
    this._comm = null;
    this._failAll('the kernel closed the bridge');
    // Closed before any welcome: the kernel has no jupyter-orch loaded (yet).
    if (this._state === 'connecting') {
      this._setState('absent', '');
    } else if (this._state === 'connected') {
      this._setState('closed', '');
    }
  }

  private _failAll(reason: string): void {
    for (const [id, waiting] of this._waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(`jupyter-orch bridge: ${reason}`));
      this._waiting.delete(id);
    }
  }

  private _setState(state: BridgeState, message: string): void {
    const changed = state !== this._state || message !== this._message;
    this._state = state;
    this._message = message;
    if (changed) {
      this._stateChanged.emit(state);
      this._hooks.changed(this);
    }
  }

  private _comm: Kernel.IComm | null = null;
  private _count = 0;
  private _message = '';
  private _state: BridgeState = 'closed';
  private _stateChanged = new Signal<this, BridgeState>(this);
  private _waiting = new Map<string, IWaiting>();
  private _welcome: IWelcome | null = null;
}
