/**
 * One turn in the panel: the user's message, then the answer. While the turn runs, its text
 * streams in as rendered Markdown and its tool calls show as cards; when it ends (or when it
 * comes from the history) it is drawn from its record, as a saved turn is in a notebook.
 */
import { shareIcon } from '@jupyterlab/ui-components';

import { append, el, iconButton } from '../common/dom';
import { StreamedMarkdown } from '../streaming/markdown';
import type { ITurnActions } from '../turn-renderer/actions';
import type { MarkdownOptions } from '../turn-renderer/markdown';
import { readTurn } from '../turn-renderer/record';
import { drawTurn } from '../turn-renderer/widget';
import { ApprovalCard } from './card';
import { num, obj, readToolEvent, str, type IChatEvent } from './protocol';

export interface ITurnDeps {
  options: MarkdownOptions;
  actions: ITurnActions;
  decide(
    callId: string,
    approved: boolean,
    reason: string,
    scope: string
  ): Promise<void>;
  fork(turnId: string): void;
}

export class TurnView {
  constructor(
    private readonly _deps: ITurnDeps,
    readonly turnId: string,
    prompt: string
  ) {
    this.node.dataset.turn = turnId;
    this._prompt.textContent = prompt;
    const you = el('div', 'jp-OrchPanelTurn-question');
    append(
      you,
      el('span', 'jp-OrchPanelTurn-who', 'You'),
      this._prompt,
      this._fork
    );
    this._fork.hidden = true;
    append(this.node, you, this._body);
  }

  readonly node = el('div', 'jp-OrchPanelTurn');

  /** Whether the turn still runs (its end has not come). */
  get running(): boolean {
    return this._running;
  }

  /** The ids of the calls whose cards wait here. */
  get cards(): Map<string, ApprovalCard> {
    return this._cards;
  }

  /** Draw a finished (or running) turn from its record. */
  async showRecord(record: unknown, running = false): Promise<void> {
    const turn = readTurn(record);
    if (typeof turn === 'string') {
      this._body.textContent = turn;
      return;
    }
    if (!this._prompt.textContent) {
      this._prompt.textContent = turn.prompt;
    }
    this._running = running;
    this.node.classList.toggle('jp-mod-running', running);
    this._body.textContent = '';
    this._cards.clear();
    this._markdown = null;
    if (running) {
      this._appendText(turn.answer);
      return;
    }
    this._fork.hidden = false;
    const drawn = el('div', 'jp-OrchTurn');
    this._body.appendChild(drawn);
    await drawTurn(drawn, turn, this._deps.options, this._deps.actions);
  }

  /** Take one step of the running turn. */
  handle(event: IChatEvent): Promise<void> | void {
    const data = event.data;
    switch (event.kind) {
      case 'waiting':
        this._note(str(data.text));
        break;
      case 'start':
        this._start(str(data.prompt));
        break;
      case 'tool':
        this._tool(data);
        break;
      case 'decided':
        this.decided(str(data.call_id), str(data.words));
        break;
      case 'running':
        this._callLine(str(data.call_id), 'running…');
        break;
      case 'progress':
        this._progress(data);
        break;
      case 'result':
        this._result(data);
        break;
      case 'end':
        return this._end(data);
    }
  }

  /** Append a piece of the answer's text. */
  text(piece: string): void {
    this._appendText(piece);
  }

  /** Show a decision on the call's card (made here, on the cell's card or elsewhere). */
  decided(callId: string, words: string): void {
    this._cards.get(callId)?.decided(words);
  }

  private _start(prompt: string): void {
    this._running = true;
    this.node.classList.add('jp-mod-running');
    if (prompt) {
      this._prompt.textContent = prompt;
    }
    this._noteNode?.remove();
    this._noteNode = null;
  }

  private _appendText(piece: string): void {
    if (!piece) {
      return;
    }
    if (!this._markdown) {
      const host = el('div', 'jp-OrchPanelTurn-text');
      this._body.appendChild(host);
      this._markdown = new StreamedMarkdown(host, this._deps.options);
    }
    this._markdown.append(piece);
  }

  private _tool(data: Record<string, unknown>): void {
    this._markdown = null; // text after the call starts a new run below it
    const call = readToolEvent(data);
    const block = el('div', 'jp-OrchPanelCall');
    block.dataset.callId = call.callId;
    const card = new ApprovalCard(call, (approved, reason, scope) =>
      this._deps.decide(call.callId, approved, reason, scope)
    );
    this._cards.set(call.callId, card);
    append(block, card.node, el('div', 'jp-OrchPanelCall-line'));
    this._body.appendChild(block);
  }

  private _callLine(callId: string, text: string): HTMLElement | null {
    const line = this._body.querySelector<HTMLElement>(
      `.jp-OrchPanelCall[data-call-id="${CSS.escape(callId)}"] .jp-OrchPanelCall-line`
    );
    if (line) {
      line.textContent = text;
    }
    return line;
  }

  private _progress(data: Record<string, unknown>): void {
    const done = num(data.progress) ?? 0;
    const total = num(data.total);
    const words = total ? `${done} of ${total}` : `${done}`;
    const message = str(data.message);
    this._callLine(
      str(data.call_id),
      `running… ${words}${message ? `: ${message}` : ''}`
    );
  }

  private _result(data: Record<string, unknown>): void {
    const line = this._callLine(str(data.call_id), '');
    if (line) {
      const label = data.is_error === true ? 'error' : 'result';
      append(
        line,
        el('div', 'jp-OrchPanelCall-label', label),
        el('pre', 'jp-OrchPanelCall-result', str(data.text))
      );
    }
  }

  private async _end(data: Record<string, unknown>): Promise<void> {
    this._running = false;
    this.node.classList.remove('jp-mod-running');
    const error = str(data.error);
    const record = obj(data.record);
    if (record.kind === 'turn') {
      await this.showRecord(record);
    } else {
      this._note(
        str(data.status) === 'interrupted'
          ? 'stopped before the model answered'
          : ''
      );
    }
    if (error) {
      this._body.appendChild(el('div', 'jp-OrchPanelTurn-error', error));
    }
  }

  private _note(text: string): void {
    if (!text) {
      return;
    }
    this._noteNode ??= this._body.appendChild(
      el('div', 'jp-OrchPanelTurn-note')
    );
    this._noteNode.textContent = text;
  }

  private _body = el('div', 'jp-OrchPanelTurn-answer');
  private _cards = new Map<string, ApprovalCard>();
  private _fork = iconButton(
    shareIcon,
    'Fork the thread from here',
    'jp-OrchPanelTurn-fork',
    () => this._deps.fork(this.turnId)
  );
  private _markdown: StreamedMarkdown | null = null;
  private _noteNode: HTMLElement | null = null;
  private _prompt = el('div', 'jp-OrchPanelTurn-prompt');
  private _running = false;
}
