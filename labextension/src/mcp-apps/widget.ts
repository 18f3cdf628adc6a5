/**
 * The renderer of `application/vnd.jupyter-orch.mcp-app+json`: an MCP App in a cell's
 * output, drawn from its live kernel, or a static view when no kernel has it.
 *
 * Around the app is our own bar (the app's name, its server, that it is sandboxed, the
 * domains it may reach): the boundary between the notebook and the app stays visible.
 */
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import type {
  IBridgeConnection,
  IBridgeEvent,
  IOrchBridge
} from '../bridge/tokens';
import { el } from '../common/dom';
import { AppApprovalCard, readAppPending } from './card';
import { buildCsp, keptDomains, reachable, type IKeptDomains } from './csp';
import { withPolicy } from './document';
import { AppFrame, MAX_HEIGHT } from './frame';
import { confirmLink, linkTarget } from './link';
import {
  APP_MIME,
  readAppRef,
  readOpenAnswer,
  type IAppRef,
  type IOpenAnswer
} from './record';
import { AppSession, type IAppHostSide, type IOpenedApp } from './session';

export const APP_CLASS = 'jp-OrchApp';
const OPEN_TIMEOUT_MS = 30_000;
const NOT_LIVE =
  'Not running: this is a saved view. Run the cell with its kernel to open the app again.';

/** What every app view shares: the bridge, the notebooks, the host's version. */
export interface IAppsContext {
  bridge: IOrchBridge;
  tracker: INotebookTracker | null;
  version: string;
}

export class AppView extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly _context: IAppsContext) {
    super();
    this.addClass(APP_CLASS);
    this.node.dataset.mimeType = APP_MIME;
    this._bar = el('div', 'jp-OrchApp-bar');
    this._body = el('div', 'jp-OrchApp-body');
    this._note = el('div', 'jp-OrchApp-note');
    this._cards = el('div', 'jp-OrchApp-cards');
    this.node.append(this._bar, this._body, this._cards);
    this._body.append(this._note);
    _context.bridge.eventReceived.connect(this._onEvent, this);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const ref = readAppRef(model.data[APP_MIME]);
    if (typeof ref === 'string') {
      this._ref = null;
      this._setNote(`jupyter-orch: ${ref}`);
      return;
    }
    this._ref = ref;
    this.node.dataset.appId = ref.appId;
    this._drawBar(ref, null);
    this._setNote('Opening the app…');
    if (this.isAttached) {
      void this._start();
    }
  }

  /** The app's live session (for tests and the curious), or null. */
  get session(): AppSession | null {
    return this._session;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._context.bridge.eventReceived.disconnect(this._onEvent, this);
    this._context.bridge.connectionChanged.disconnect(this._retry, this);
    this._stop('the output was removed');
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this._start();
  }

  protected onBeforeDetach(msg: Message): void {
    // A detached iframe loses its document: draw it again, afresh, when shown again.
    this._stop('the output was hidden');
    super.onBeforeDetach(msg);
  }

  private async _start(): Promise<void> {
    const ref = this._ref;
    if (!ref || this._frame || this._starting || this._closedFor) {
      return;
    }
    this._starting = true;
    try {
      await this._open(ref);
    } finally {
      this._starting = false;
    }
  }

  private async _open(ref: IAppRef): Promise<void> {
    const candidates = this._candidates();
    let last: IOpenAnswer = { state: 'unknown', reason: NOT_LIVE };
    for (const connection of candidates) {
      try {
        last = readOpenAnswer(
          await connection.request(
            'mcp_apps.open',
            { app_id: ref.appId },
            OPEN_TIMEOUT_MS
          )
        );
      } catch (error) {
        last = {
          state: 'failed',
          reason: error instanceof Error ? error.message : String(error)
        };
      }
      if (last.state !== 'unknown') {
        this._connection = connection;
        break;
      }
    }
    if (this.isDisposed || !this.isAttached) {
      return;
    }
    if (last.state === 'open' && this._connection) {
      this._show(ref, last, this._connection);
    } else if (last.state === 'closed') {
      this._closedFor = last.reason || 'closed';
      this._setNote(`Closed: ${this._closedFor}.`);
    } else if (last.state === 'failed') {
      this._setNote(`Could not open the app: ${last.reason}`);
    } else {
      this._setNote(NOT_LIVE);
      this._context.bridge.connectionChanged.connect(this._retry, this);
    }
  }

  /** The connections that may know the app: this notebook's kernel first. */
  private _candidates(): IBridgeConnection[] {
    const live = this._context.bridge.connections.filter(
      c => c.state === 'connected' && c.capabilities.includes('mcp-apps')
    );
    let own: IBridgeConnection | null = null;
    this._context.tracker?.forEach(panel => {
      if (!own && panel.node.contains(this.node)) {
        own = this._context.bridge.connectionFor(panel.sessionContext);
      }
    });
    return own && live.includes(own)
      ? [own, ...live.filter(c => c !== own)]
      : live;
  }

  private _retry(_: IOrchBridge, connection: IBridgeConnection): void {
    if (connection.state === 'connected') {
      this._context.bridge.connectionChanged.disconnect(this._retry, this);
      void this._start();
    }
  }

  private _show(
    ref: IAppRef,
    opened: IOpenAnswer,
    connection: IBridgeConnection
  ): void {
    const domains = keptDomains(opened.csp);
    this._drawBar(ref, domains);
    this._note.remove();
    this.toggleClass('jp-mod-border', opened.prefersBorder !== false);
    const host = this._hostSide(
      ref,
      domains,
      connection,
      (opened.callTimeout ?? 700) * 1000
    );
    const srcdoc = withPolicy(opened.html ?? '', buildCsp(domains));
    this._frame = new AppFrame(this._body, srcdoc, {
      message: data => this._session?.receive(data),
      navigated: () => void this._close('the app left its document')
    });
    this._session = new AppSession(opened as IOpenedApp, host, message =>
      this._frame?.post(message)
    );
    this._watchWidth();
  }

  private _hostSide(
    ref: IAppRef,
    domains: IKeptDomains,
    connection: IBridgeConnection,
    callTimeoutMs: number
  ): IAppHostSide {
    return {
      info: { name: 'jupyter-orch', version: this._context.version },
      capabilities: {
        openLinks: {},
        serverTools: {},
        logging: {},
        sandbox: { permissions: {}, csp: domains }
      },
      context: () => this._hostContext(),
      callTool: (name, args) =>
        connection.request(
          'mcp_apps.call_tool',
          { app_id: ref.appId, name, arguments: args },
          callTimeoutMs
        ),
      openLink: async url => {
        const target = linkTarget(url);
        return target ? confirmLink(target, ref) : false;
      },
      resize: height => this._frame?.resize(height),
      log: params =>
        console.debug('jupyter-orch: MCP App log', ref.tool, params)
    };
  }

  private _hostContext(): Record<string, unknown> {
    const light = document.body.dataset.jpThemeLight !== 'false';
    return {
      theme: light ? 'light' : 'dark',
      displayMode: 'inline',
      availableDisplayModes: ['inline'],
      containerDimensions: {
        width: this._body.clientWidth || 600,
        maxHeight: MAX_HEIGHT
      },
      locale: navigator.language,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      platform: 'web'
    };
  }

  private _watchWidth(): void {
    let width = this._body.clientWidth;
    this._observer = new ResizeObserver(() => {
      const now = this._body.clientWidth;
      if (now && now !== width) {
        width = now;
        this._session?.contextChanged({
          containerDimensions: { width: now, maxHeight: MAX_HEIGHT }
        });
      }
    });
    this._observer.observe(this._body);
  }

  private _onEvent(_: IOrchBridge, event: IBridgeEvent): void {
    if (!this._ref || event.connection !== this._connection) {
      return;
    }
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (event.name === 'mcp_apps.closed' && data.app_id === this._ref.appId) {
      void this._close(String(data.reason ?? 'closed'));
    } else if (
      event.name === 'mcp_apps.pending' &&
      data.app_id === this._ref.appId
    ) {
      this._addCard(data);
    } else if (event.name === 'approval.decided') {
      const card = this._pending.get(String(data.call_id));
      card?.decided(data.approved === true, String(data.by ?? ''));
      this._pending.delete(String(data.call_id));
    }
  }

  private _addCard(data: unknown): void {
    const pending = readAppPending(data);
    const connection = this._connection;
    if (!pending || !connection || this._pending.has(pending.callId)) {
      return;
    }
    const card = new AppApprovalCard(pending, async decision => {
      await connection.request('approval.decide', {
        call_id: pending.callId,
        approved: decision.approved,
        scope: decision.scope,
        reason: decision.reason
      });
    });
    this._pending.set(pending.callId, card);
    this._cards.append(card.node);
  }

  /** The kernel closed the app (re-run, Interrupt) or it left its document. */
  private async _close(reason: string): Promise<void> {
    this._closedFor = reason;
    const session = this._session;
    this._session = null;
    await session?.teardown(reason);
    this._stop(reason);
    this._cards.textContent = '';
    this._pending.clear();
    this._setNote(`Closed: ${reason}.`);
  }

  private _stop(reason: string): void {
    void this._session?.teardown(reason);
    this._session = null;
    this._observer?.disconnect();
    this._observer = null;
    this._frame?.dispose();
    this._frame = null;
  }

  private _drawBar(ref: IAppRef, domains: IKeptDomains | null): void {
    this._bar.textContent = '';
    const where = ref.server ? ` · from MCP server ${ref.server}` : '';
    this._bar.append(
      el('span', 'jp-OrchApp-label', 'MCP App'),
      el('span', 'jp-OrchApp-title', ref.title),
      el('span', 'jp-OrchApp-where', `${where} · sandboxed`)
    );
    const reach = domains ? reachable(domains) : [];
    if (reach.length) {
      this._bar.append(
        el('span', 'jp-OrchApp-reach', ` · may connect to ${reach.join(', ')}`)
      );
    }
  }

  private _setNote(text: string): void {
    this._note.textContent = text;
    if (!this._note.isConnected) {
      this._body.append(this._note);
    }
  }

  private _ref: IAppRef | null = null;
  private _bar: HTMLElement;
  private _body: HTMLElement;
  private _note: HTMLElement;
  private _cards: HTMLElement;
  private _connection: IBridgeConnection | null = null;
  private _frame: AppFrame | null = null;
  private _session: AppSession | null = null;
  private _observer: ResizeObserver | null = null;
  private _starting = false;
  private _closedFor = '';
  private _pending = new Map<string, AppApprovalCard>();
}

/** The renderer factory (`safe`: the app runs only in its sandbox, whatever the trust). */
export function appRendererFactory(
  context: IAppsContext
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [APP_MIME],
    defaultRank: 40,
    createRenderer: () => new AppView(context)
  };
}
