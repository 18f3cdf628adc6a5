/**
 * The panel's conversation: the thread's turns (from the history, then live), and the calls
 * of other turns (a cell's) waiting for a decision, which can be decided here too.
 */
import { append, el } from '../common/dom';
import { ApprovalCard, type Decide } from './card';
import { readChatEvent, type ICallCard, type IHistory } from './protocol';
import { TurnView, type ITurnDeps } from './turn-view';

/** How close to the end (pixels) the user must be for new text to keep the view there. */
const STICKY_PX = 48;

export class Conversation {
  constructor(
    private readonly _deps: ITurnDeps,
    private readonly _show: () => void
  ) {
    append(
      this.node,
      this._earlier,
      this._list,
      el(
        'div',
        'jp-OrchConversation-empty',
        'Ask something: the answer streams here.'
      ),
      this._busy,
      this._others
    );
    this._busy.hidden = true;
    append(
      this._others,
      el('div', 'jp-OrchConversation-othersTitle', 'Waiting for your decision'),
      this._othersList
    );
  }

  readonly node = el('div', 'jp-OrchConversation');

  /** The turn of this thread that runs now, if any. */
  get running(): string | null {
    for (const [id, view] of this._views) {
      if (view.running) {
        return id;
      }
    }
    return null;
  }

  /** Say that another surface (a cell) is answering on this thread, or '' when none. */
  busy(text: string): void {
    this._busy.textContent = text;
    this._busy.hidden = !text;
  }

  /** Forget everything shown (another thread, another kernel). */
  clear(): void {
    this._views.clear();
    this._list.textContent = '';
    this._earlier.textContent = '';
    this._othersList.textContent = '';
    this._otherCards.clear();
    this.busy('');
    this._sync();
  }

  /** Show a thread's history: each turn drawn from its record. */
  async showHistory(history: IHistory): Promise<void> {
    this._views.clear();
    this._list.textContent = '';
    this._earlier.textContent = history.earlier
      ? `${history.earlier} earlier turns are not shown`
      : '';
    const drawn: Promise<void>[] = [];
    for (const record of history.records) {
      const id = String(record.id ?? '');
      const view = this._add(id, '');
      drawn.push(view.showRecord(record, history.running.includes(id)));
    }
    this.busy(
      history.busy && !history.running.length
        ? `The turn ${history.busy} is answering on this thread…`
        : ''
    );
    this._sync();
    await Promise.all(drawn);
    this.node.scrollTop = this.node.scrollHeight;
  }

  /** The view of turn `id` (made, with its prompt, when new). */
  begin(id: string, prompt: string): TurnView {
    return this._views.get(id) ?? this._add(id, prompt);
  }

  /** Take a `chat` event of this thread. */
  chat(data: unknown): void {
    const event = readChatEvent(data);
    if (!event) {
      return;
    }
    this._keepAtEnd(() => {
      const view = this.begin(event.turn, '');
      void view.handle(event);
      if (event.kind === 'tool') {
        this._otherCards.get(String(event.data.call_id))?.node.remove();
      }
    });
  }

  /** Take a piece of a turn's text (a `stream` event whose id is a turn of this thread). */
  stream(id: string, text: string): void {
    const view = this._views.get(id);
    if (view) {
      this._keepAtEnd(() => view.text(text));
    }
  }

  /** A call waits for a decision: shown here unless its own turn's card is. */
  pending(call: ICallCard, decide: Decide): void {
    const shown = [...this._views.values()].some(v => v.cards.has(call.callId));
    if (shown || this._otherCards.has(call.callId)) {
      return;
    }
    const card = new ApprovalCard(
      call,
      decide,
      call.cellId ? this._show : null
    );
    card.node.classList.add('jp-mod-other');
    this._otherCards.set(call.callId, card);
    this._othersList.appendChild(card.node);
    this._sync();
  }

  /** A call was decided (here or anywhere): its cards show it; others' cards go. */
  decided(callId: string, words: string): void {
    this._views.forEach(view => view.decided(callId, words));
    const other = this._otherCards.get(callId);
    if (other) {
      other.node.remove();
      this._otherCards.delete(callId);
    }
    this._sync();
  }

  private _add(id: string, prompt: string): TurnView {
    const view = new TurnView(this._deps, id, prompt);
    this._views.set(id, view);
    this._list.appendChild(view.node);
    this._sync();
    return view;
  }

  private _keepAtEnd(change: () => void): void {
    const node = this.node;
    const atEnd =
      node.scrollHeight - node.scrollTop - node.clientHeight < STICKY_PX;
    change();
    if (atEnd) {
      node.scrollTop = node.scrollHeight;
    }
  }

  private _sync(): void {
    this.node.classList.toggle('jp-mod-empty', !this._views.size);
    this._others.hidden = !this._otherCards.size;
  }

  private _busy = el('div', 'jp-OrchConversation-busy');
  private _earlier = el('div', 'jp-OrchConversation-earlier');
  private _list = el('div', 'jp-OrchConversation-turns');
  private _otherCards = new Map<string, ApprovalCard>();
  private _others = el('div', 'jp-OrchConversation-others');
  private _othersList = el('div', 'jp-OrchConversation-othersList');
  private _views = new Map<string, TurnView>();
}
