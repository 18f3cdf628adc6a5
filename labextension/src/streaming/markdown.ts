/**
 * Markdown that grows while it is shown: the settled part is rendered once, block by block;
 * only the part still growing is rendered again, at most every RENDER_MS. Everything goes
 * through JupyterLab's Markdown pipeline with the sanitizer on (the text is untrusted).
 */
import { el } from '../common/dom';
import {
  renderUntrusted,
  type MarkdownOptions
} from '../turn-renderer/markdown';
import { settledLength } from './split';

/** The least time between two renders of the growing part. */
export const RENDER_MS = 80;

export class StreamedMarkdown {
  /**
   * `format`: `markdown` renders the text; `text` shows it as it is.
   */
  constructor(
    readonly host: HTMLElement,
    private readonly _options: MarkdownOptions,
    private readonly _format: 'markdown' | 'text' = 'markdown'
  ) {
    host.classList.add('jp-OrchStreamed');
    this._tail = el('div', 'jp-OrchStreamed-tail jp-RenderedMarkdown');
    host.appendChild(this._tail);
  }

  get text(): string {
    return this._text;
  }

  /** Add a piece of text. */
  append(piece: string): void {
    if (piece) {
      this.set(this._text + piece);
    }
  }

  /** Show `text` (the whole text so far). */
  set(text: string): void {
    if (text === this._text) {
      return;
    }
    this._text = text;
    this._schedule();
  }

  /** Resolves once everything given so far is shown. */
  async flush(): Promise<void> {
    while (this._running || this._shown !== this._text) {
      await (this._running ?? this._render());
    }
  }

  private _schedule(): void {
    if (this._running || this._timer !== null) {
      return;
    }
    const wait = Math.max(0, this._last + RENDER_MS - Date.now());
    if (this._shown === '' || wait === 0) {
      void this._render();
    } else {
      this._timer = setTimeout(() => {
        this._timer = null;
        void this._render();
      }, wait);
    }
  }

  private _render(): Promise<void> {
    const text = this._text;
    this._running = this._draw(text).finally(() => {
      this._running = null;
      this._shown = text;
      this._last = Date.now();
      if (this._text !== text) {
        this._schedule();
      }
    });
    return this._running;
  }

  private async _draw(text: string): Promise<void> {
    if (this._format === 'text') {
      this._tail.classList.add('jp-OrchStreamed-text');
      this._tail.textContent = text;
      return;
    }
    const cut = Math.max(this._settled, settledLength(text));
    if (cut > this._settled) {
      const block = el('div', 'jp-OrchStreamed-block jp-RenderedMarkdown');
      this.host.insertBefore(block, this._tail);
      await renderUntrusted(
        block,
        text.slice(this._settled, cut),
        this._options
      );
      this._settled = cut;
    }
    const tail = text.slice(this._settled);
    if (tail.trim()) {
      await renderUntrusted(this._tail, tail, this._options);
    } else {
      this._tail.textContent = '';
    }
  }

  private _last = 0;
  private _running: Promise<void> | null = null;
  private _settled = 0;
  private _shown = '';
  private _tail: HTMLElement;
  private _text = '';
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
