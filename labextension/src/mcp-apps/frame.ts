/**
 * The app's iframe: its own opaque origin, scripts only, the policy first in its document.
 *
 * `sandbox="allow-scripts"` without `allow-same-origin` gives the document an origin of
 * its own that equals no other (not JupyterLab's, not another app's): it cannot read the
 * page, its cookies or its storage, or call the Jupyter server as the user. No popups, no
 * top navigation, no forms, no downloads, no modals; no permission is delegated (`allow`
 * is empty). Messages are taken only from this frame's window, and only while it still
 * shows the document it was given: a second `load` means the app navigated away, and the
 * frame closes itself.
 */
import type { RpcMessage } from './protocol';

export const FRAME_CLASS = 'jp-OrchApp-frame';
export const MIN_HEIGHT = 24;
export const MAX_HEIGHT = 2000;
const FIRST_HEIGHT = 120;

export interface IFrameEvents {
  /** The app posted `data`. */
  message(data: unknown): void;
  /** The frame left its document (the app navigated); it is closed. */
  navigated(): void;
}

export class AppFrame {
  constructor(
    parent: HTMLElement,
    srcdoc: string,
    private readonly _events: IFrameEvents
  ) {
    const frame = document.createElement('iframe');
    frame.className = FRAME_CLASS;
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('allow', '');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.setAttribute('title', 'MCP App');
    frame.style.height = `${FIRST_HEIGHT}px`;
    frame.addEventListener('load', this._onLoad);
    window.addEventListener('message', this._onMessage);
    frame.srcdoc = srcdoc;
    parent.appendChild(frame);
    this.node = frame;
  }

  readonly node: HTMLIFrameElement;

  /** Post a message to the app (an opaque origin can only be addressed as `*`). */
  post(message: RpcMessage): void {
    if (!this._closed && this._loads <= 1) {
      this.node.contentWindow?.postMessage(message, '*');
    }
  }

  /** Set the frame's height (bounded). */
  resize(height: number): number {
    const bounded = Math.round(
      Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, height))
    );
    this.node.style.height = `${bounded}px`;
    return bounded;
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Remove the frame (the app's document goes with it). */
  dispose(): void {
    if (this._closed) {
      return;
    }
    this._closed = true;
    window.removeEventListener('message', this._onMessage);
    this.node.removeEventListener('load', this._onLoad);
    this.node.remove();
  }

  private _onMessage = (event: MessageEvent): void => {
    if (
      this._closed ||
      event.source !== this.node.contentWindow ||
      this._loads > 1
    ) {
      return;
    }
    this._events.message(event.data);
  };

  private _onLoad = (): void => {
    this._loads += 1;
    if (this._loads > 1) {
      this._events.navigated();
    }
  };

  private _closed = false;
  private _loads = 0;
}
