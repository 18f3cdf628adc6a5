/**
 * The page's side of the bridge: one connection per kernel connection of the notebooks (and
 * consoles) it follows, connected when a kernel becomes ready, when a kernel announces
 * jupyter-orch (`%load_ext` after the page loaded), after a restart and after a reload.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';

import { BridgeConnection } from './connection';
import { PAGE_TARGET, PROTOCOL, type IHandshake } from './protocol';
import type {
  IBridgeConnection,
  IBridgeEvent,
  IOrchBridge,
  RequestHandler
} from './tokens';

/** A kernel that dropped this page (a missed ping) is asked again after this long. */
const RECONNECT_MS = 500;

export class OrchBridge implements IOrchBridge {
  constructor(
    private readonly _app: { name: string; version: string },
    capabilities: string[] = []
  ) {
    capabilities.forEach(name => this._capabilities.add(name));
    this._handlers.set('ping', () => ({}));
  }

  readonly pageId = UUID.uuid4().slice(0, 8);

  get connections(): IBridgeConnection[] {
    return Array.from(this._connections.values());
  }
  get connectionChanged(): Signal<this, IBridgeConnection> {
    return this._connectionChanged;
  }
  get eventReceived(): Signal<this, IBridgeEvent> {
    return this._eventReceived;
  }

  addCapability(name: string): void {
    if (this._capabilities.has(name)) {
      return;
    }
    this._capabilities.add(name);
    for (const connection of this._connections.values()) {
      if (connection.state === 'connected') {
        connection.updateCapabilities(this.capabilityList);
      }
    }
  }

  handle(method: string, handler: RequestHandler): void {
    this._handlers.set(method, handler);
  }

  connectionFor(
    context: ISessionContext | null | undefined
  ): IBridgeConnection | null {
    const kernel = context?.session?.kernel;
    return (kernel && this._connections.get(kernel)) || null;
  }

  watch(context: ISessionContext): void {
    if (this._contexts.has(context)) {
      return;
    }
    this._contexts.add(context);
    context.kernelChanged.connect((_, change) => this._attach(change.newValue));
    context.statusChanged.connect((_, status) => this._status(context, status));
    context.disposed.connect(() => this._contexts.delete(context));
    this._attach(context.session?.kernel ?? null);
  }

  /** Say goodbye to every kernel (the page is going away). */
  goodbye(): void {
    this._connections.forEach(connection => connection.goodbye());
  }

  get capabilityList(): string[] {
    return Array.from(this._capabilities).sort();
  }

  private _handshake(): IHandshake {
    const app = /notebook/i.test(this._app.name) ? 'notebook' : 'jupyterlab';
    return {
      protocol: PROTOCOL,
      page: { id: this.pageId, app, version: this._app.version },
      capabilities: this.capabilityList
    };
  }

  private _attach(kernel: Kernel.IKernelConnection | null): void {
    if (!kernel || this._connections.has(kernel)) {
      return;
    }
    const connection = new BridgeConnection(kernel, {
      handler: method => this._handlers.get(method),
      event: (conn, name, data) =>
        this._eventReceived.emit({ connection: conn, name, data }),
      changed: conn => this._changed(conn)
    });
    this._connections.set(kernel, connection);
    // The kernel announces itself when jupyter-orch loads: connect then.
    kernel.registerCommTarget(PAGE_TARGET, () =>
      connection.open(this._handshake())
    );
    kernel.disposed.connect(() => {
      this._connections.delete(kernel);
      connection.reset('closed');
    });
    connection.open(this._handshake());
  }

  private _status(context: ISessionContext, status: Kernel.Status): void {
    const connection = this.connectionFor(context) as BridgeConnection | null;
    if (!connection) {
      return;
    }
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      connection.reset('closed');
    } else if (status === 'idle' && connection.state === 'closed') {
      // A restarted kernel: try at once; without jupyter-orch it closes the comm ("absent")
      // and its %load_ext will announce it.
      connection.open(this._handshake());
    }
  }

  private _changed(connection: BridgeConnection): void {
    this._connectionChanged.emit(connection);
    if (connection.state === 'closed' && !connection.kernel.isDisposed) {
      setTimeout(() => {
        if (
          connection.state === 'closed' &&
          connection.kernel.status === 'idle'
        ) {
          connection.open(this._handshake());
        }
      }, RECONNECT_MS);
    }
  }

  private _capabilities = new Set<string>();
  private _connectionChanged = new Signal<this, IBridgeConnection>(this);
  private _connections = new Map<Kernel.IKernelConnection, BridgeConnection>();
  private _contexts = new Set<ISessionContext>();
  private _eventReceived = new Signal<this, IBridgeEvent>(this);
  private _handlers = new Map<string, RequestHandler>();
}
