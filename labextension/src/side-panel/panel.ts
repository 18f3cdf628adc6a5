/**
 * The chat side panel: bound to the kernel of the active notebook or console, it shows that
 * kernel's threads (shared with the `%%chat` cells), streams the answers of its own turns,
 * offers the same Approve/Reject decisions as the cells' cards, the tools with their policy,
 * the MCP servers and the usage. It keeps nothing the kernel does not: after a reload it
 * asks the kernel for the thread's history.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import type {
  IBridgeConnection,
  IBridgeEvent,
  IOrchBridge
} from '../bridge/tokens';
import { oneLine } from '../bridge/protocol';
import { append, el } from '../common/dom';
import type { ITurnActions } from '../turn-renderer/actions';
import type { MarkdownOptions } from '../turn-renderer/markdown';
import { PanelClient } from './client';
import { Composer } from './composer';
import { Conversation } from './conversation';
import { decidedWords, kernelLabel } from './format';
import { Header } from './header';
import { obj, readPendingEvent, str } from './protocol';
import { confirmClear, savedThread, saveThread } from './storage';
import { ToolsView } from './tools-view';
import { UsageView } from './usage-view';

export const PANEL_ID = 'jupyter-orch-chat';

export interface IPanelDeps {
  options: MarkdownOptions;
  actions: ITurnActions;
  /** Scroll to the notebook card of the first call waiting for a decision. */
  showPending(): void;
}

function message(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

export class ChatSidePanel extends Widget {
  constructor(
    private readonly _bridge: IOrchBridge,
    private readonly _deps: IPanelDeps
  ) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-OrchSidePanel');
    this.title.caption = 'jupyter-orch chat';
    this._chat = el('div', 'jp-OrchSidePanel-chat');
    append(
      this._chat,
      this._conversation.node,
      this._usage.node,
      this._composer.node
    );
    this._toolsView.node.hidden = true;
    append(this.node, this._header.node, this._chat, this._toolsView.node);
    _bridge.eventReceived.connect(this._onEvent, this);
    _bridge.connectionChanged.connect(this._onConnection, this);
    this.bind(null);
  }

  /** The thread the panel shows. */
  get thread(): string {
    return this._thread;
  }

  /** Follow the kernel of `context` (a notebook's or a console's); null: none. */
  bind(context: ISessionContext | null): void {
    if (context === this._context && context) {
      return;
    }
    this._context?.kernelChanged.disconnect(this._rebind, this);
    this._context = context;
    context?.kernelChanged.connect(this._rebind, this);
    this._rebind();
  }

  dispose(): void {
    this._bridge.eventReceived.disconnect(this._onEvent, this);
    this._bridge.connectionChanged.disconnect(this._onConnection, this);
    super.dispose();
  }

  private _rebind(): void {
    const connection = this._bridge.connectionFor(this._context);
    this._connection = connection;
    this._client =
      connection?.state === 'connected' ? new PanelClient(connection) : null;
    this._generation++;
    this._conversation.clear();
    this._thread = '';
    this._label();
    void this._refresh();
  }

  private _label(): void {
    const context = this._context;
    const state = context ? (this._connection?.state ?? 'connecting') : 'none';
    const name = context?.name || context?.path || '';
    this._header.kernel(
      kernelLabel(name, context?.kernelDisplayName ?? '', state),
      state === 'connected'
    );
  }

  private async _refresh(): Promise<void> {
    const client = this._client;
    const generation = this._generation;
    if (!client) {
      this._header.threads([], this._thread || 'default');
      return;
    }
    try {
      const list = await client.threads();
      if (generation !== this._generation) {
        return;
      }
      const saved = savedThread(this._connection?.kernel.id);
      const known = list.threads.some(t => t.name === saved);
      this._thread ||= known && saved ? saved : list.current;
      this._header.threads(list.threads, this._thread);
      await this._loadHistory(generation);
      this._pendingFromWelcome();
      void this._models();
      void this._usageNow();
      void this._toolsNow();
    } catch (error) {
      this._composer.error(message(error));
    }
  }

  private async _loadHistory(generation = this._generation): Promise<void> {
    const client = this._client;
    if (!client) {
      return;
    }
    const history = await client.history(this._thread);
    if (generation === this._generation) {
      await this._conversation.showHistory(history);
      this._composer.running(this._conversation.running !== null);
    }
  }

  private _pendingFromWelcome(): void {
    const state = obj(this._connection?.welcomeState);
    const pending = Array.isArray(state.pending) ? state.pending : [];
    pending.forEach(data => this._pending(data));
  }

  private _pending(data: unknown): void {
    const call = readPendingEvent(data);
    if (call) {
      this._conversation.pending(call, (approved, reason, scope) =>
        this._decide(call.callId, approved, reason, scope)
      );
    }
  }

  private async _decide(
    callId: string,
    approved: boolean,
    reason: string,
    scope: string
  ): Promise<void> {
    if (!this._client) {
      throw new Error('not connected to the kernel');
    }
    await this._client.decide(callId, approved, reason, scope);
  }

  private _onConnection(_: IOrchBridge, connection: IBridgeConnection): void {
    if (this._context && connection.kernel === this._context.session?.kernel) {
      this._rebind();
    }
  }

  private _onEvent(_: IOrchBridge, event: IBridgeEvent): void {
    if (event.connection !== this._connection) {
      return;
    }
    const data = obj(event.data);
    switch (event.name) {
      case 'chat':
        this._chatEvent(data);
        break;
      case 'stream':
        this._conversation.stream(str(data.id), str(data.text));
        break;
      case 'approval.pending':
        this._pending(data);
        break;
      case 'approval.decided':
        this._conversation.decided(
          str(data.call_id),
          decidedWords(data.approved === true, str(data.by))
        );
        break;
      case 'thread.changed':
        this._threadChanged(data);
        break;
    }
  }

  private _chatEvent(data: Record<string, unknown>): void {
    if (str(data.thread) !== this._thread) {
      return;
    }
    this._conversation.chat(data);
    this._composer.running(this._conversation.running !== null);
    if (data.kind === 'end') {
      void this._usageNow();
    }
  }

  private _threadChanged(data: Record<string, unknown>): void {
    clearTimeout(this._listTimer);
    this._listTimer = setTimeout(() => void this._threadsNow(), 150);
    if (str(data.thread) !== this._thread || data.panel === true) {
      return;
    }
    if (data.state === 'started') {
      this._conversation.busy('A cell is answering on this thread…');
    } else {
      this._conversation.busy('');
      void this._loadHistory(); // the cell's turn joined this thread
      void this._usageNow();
    }
  }

  private async _threadsNow(): Promise<void> {
    const client = this._client;
    if (client) {
      const list = await client.threads();
      this._header.threads(list.threads, this._thread);
    }
  }

  private async _usageNow(): Promise<void> {
    const client = this._client;
    if (client && this._thread) {
      this._usage.show(await client.usage(this._thread, ''));
    }
  }

  private async _models(): Promise<void> {
    const client = this._client;
    if (client) {
      const models = await client.models();
      this._composer.models(models.configured, models.recent);
    }
  }

  private async _toolsNow(): Promise<void> {
    const client = this._client;
    if (!client) {
      return;
    }
    try {
      this._toolsView.showTools(await client.tools());
      this._toolsView.showServers(await client.servers());
      this._toolsView.error('');
    } catch (error) {
      this._toolsView.error(message(error));
    }
  }

  private async _switch(thread: string): Promise<void> {
    this._thread = thread;
    saveThread(this._connection?.kernel.id, thread);
    this._generation++;
    this._conversation.clear();
    try {
      await this._threadsNow();
      await this._loadHistory();
      void this._usageNow();
    } catch (error) {
      this._composer.error(message(error));
    }
  }

  private async _send(
    text: string,
    model: string,
    params: Record<string, number>
  ): Promise<boolean> {
    const client = this._client;
    if (!client) {
      this._composer.error(
        'not connected: open a notebook whose kernel ran %load_ext jupyter_orch'
      );
      return false;
    }
    try {
      const turn = await client.send({
        thread: this._thread,
        text,
        model,
        params
      });
      this._conversation.begin(turn, text);
      this._composer.running(true);
      return true;
    } catch (error) {
      this._composer.error(message(error));
      return false;
    }
  }

  private _stop(): void {
    const turn = this._conversation.running;
    if (this._client && turn) {
      this._client
        .stop(turn, this._thread)
        .catch(e => this._composer.error(message(e)));
    }
  }

  private async _fork(turn: string): Promise<void> {
    if (!this._client) {
      return;
    }
    try {
      await this._switch(await this._client.fork(this._thread, turn));
    } catch (error) {
      this._composer.error(message(error));
    }
  }

  private async _newThread(): Promise<void> {
    if (this._client) {
      try {
        await this._switch(await this._client.newThread());
      } catch (error) {
        this._composer.error(message(error));
      }
    }
  }

  private async _clear(): Promise<void> {
    const client = this._client;
    if (!client) {
      return;
    }
    if (await confirmClear(this._thread)) {
      try {
        await client.clear(this._thread);
        await this._switch(this._thread);
      } catch (error) {
        this._composer.error(message(error));
      }
    }
  }

  private _tab(name: 'chat' | 'tools'): void {
    this._header.selectTab(name);
    this._chat.hidden = name !== 'chat';
    this._toolsView.node.hidden = name !== 'tools';
    if (name === 'tools') {
      void this._toolsNow();
    }
  }

  private _chat: HTMLElement;
  private _client: PanelClient | null = null;
  private _composer = new Composer({
    send: (text, model, params) => this._send(text, model, params),
    stop: () => this._stop()
  });
  private _connection: IBridgeConnection | null = null;
  private _context: ISessionContext | null = null;
  private _conversation = new Conversation(
    {
      options: this._deps.options,
      actions: this._deps.actions,
      decide: (callId, approved, reason, scope) =>
        this._decide(callId, approved, reason, scope),
      fork: turn => void this._fork(turn)
    },
    () => this._deps.showPending()
  );
  private _generation = 0;
  private _header = new Header({
    switchTo: thread => void this._switch(thread),
    newThread: () => void this._newThread(),
    clear: () => void this._clear(),
    tab: name => this._tab(name)
  });
  private _listTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private _thread = '';
  private _toolsView = new ToolsView({
    setPolicy: async (name, policy) => {
      await this._client?.setPolicy(name, policy);
      await this._toolsNow();
    },
    restart: async name => {
      await this._client?.restart(name);
      await this._toolsNow();
    }
  });
  private _usage = new UsageView();
}
