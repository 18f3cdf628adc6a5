/**
 * Watches one pending approval: while its card is off screen, a notification offers the
 * decision; when the card comes into view, or the call is decided, the notification goes.
 */
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';

import type { IBridgeConnection } from '../bridge/tokens';
import { oneLine } from '../bridge/protocol';
import { panelsOf } from '../common/kernels';
import { showCard, waitForCard } from './card';
import { pendingMessage, readPending, type IPending } from './pending';

/** How long the card may take to appear after its event before it counts as not visible. */
const CARD_APPEARS_MS = 1500;

export class Watcher {
  static create(
    tracker: INotebookTracker,
    connection: IBridgeConnection,
    data: unknown
  ): Watcher | null {
    const pending = readPending(data);
    const panel = pending ? panelsOf(tracker, connection)[0] : undefined;
    return pending && panel ? new Watcher(panel, connection, pending) : null;
  }

  constructor(
    readonly panel: NotebookPanel,
    readonly connection: IBridgeConnection,
    readonly pending: IPending
  ) {
    void waitForCard(panel, pending, CARD_APPEARS_MS).then(card =>
      this._observe(card)
    );
  }

  get disposed(): Signal<this, void> {
    return this._disposed;
  }

  /** Scroll to the card. */
  async show(): Promise<void> {
    this.panel.content.activate();
    await showCard(this.panel, this.pending);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._observer?.disconnect();
    this._hide();
    this._disposed.emit();
  }

  private _observe(card: HTMLElement | null): void {
    if (this._isDisposed) {
      return;
    }
    if (!card) {
      this._offer();
      return;
    }
    this._observer = new IntersectionObserver(entries => {
      const visible = entries.some(entry => entry.isIntersecting);
      if (visible) {
        this._hide();
      } else {
        this._offer();
      }
    });
    this._observer.observe(card);
  }

  private _offer(): void {
    if (this._notification || this._isDisposed) {
      return;
    }
    this._notification = Notification.warning(pendingMessage(this.pending), {
      autoClose: false,
      actions: [
        {
          label: 'Approve',
          displayType: 'accent',
          callback: () => this._decide(true)
        },
        {
          label: 'Reject',
          displayType: 'warn',
          callback: () => this._decide(false)
        },
        {
          label: 'Show',
          callback: event => {
            event.preventDefault();
            void this.show();
          }
        }
      ]
    });
  }

  private _hide(): void {
    if (this._notification) {
      Notification.dismiss(this._notification);
      this._notification = '';
    }
  }

  private _decide(approved: boolean): void {
    this._notification = '';
    const params = { call_id: this.pending.callId, approved, reason: '' };
    this.connection.request('approval.decide', params).then(
      () => this.dispose(),
      error =>
        Notification.error(
          oneLine(error instanceof Error ? error.message : error)
        )
    );
  }

  private _disposed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _notification = '';
  private _observer: IntersectionObserver | null = null;
}
