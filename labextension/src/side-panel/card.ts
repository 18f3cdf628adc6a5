/**
 * The panel's approval card: what the model wants to run, a reason box, Approve (once, for
 * this session, always) and Reject. It settles the same pending call as the cell's card and
 * the notification (`approval.decide`); a decision made elsewhere shows here too.
 */
import { append, el } from '../common/dom';
import type { ICallCard } from './protocol';

export type Decide = (
  approved: boolean,
  reason: string,
  scope: string
) => Promise<void>;

const SCOPE_LABELS: Record<string, string> = {
  once: 'Approve',
  session: 'Allow for this session',
  always: 'Always allow'
};

function button(label: string, className: string, onClick: () => void) {
  const node = el('button', `jp-OrchPanelButton ${className}`, label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

export class ApprovalCard {
  constructor(
    readonly call: ICallCard,
    private readonly _decide: Decide,
    show: (() => void) | null = null
  ) {
    this.node = el('div', 'jp-OrchPanelCard');
    this.node.dataset.callId = call.callId;
    const from = call.sourceWords ? ` (${call.sourceWords})` : '';
    const where =
      call.total > 1 ? ` · call ${call.position} of ${call.total}` : '';
    append(
      this.node,
      el('div', 'jp-OrchPanelCard-title', `${call.name}${from}${where}`),
      call.description
        ? el('div', 'jp-OrchPanelCard-description', call.description)
        : null,
      call.hints.length
        ? el(
            'div',
            'jp-OrchPanelCard-hints',
            `the server says: ${call.hints.join(', ')}`
          )
        : null,
      call.changed ? el('div', 'jp-OrchPanelCard-changed', call.changed) : null,
      el('pre', 'jp-OrchPanelCard-arguments', call.arguments || '{}'),
      this._controls(show),
      this._status
    );
    if (!call.pending) {
      this._controlsNode.hidden = true;
    }
  }

  readonly node: HTMLElement;

  /** Show the decision (made here or elsewhere); the buttons go. */
  decided(words: string): void {
    this._controlsNode.hidden = true;
    this._status.textContent = words;
    this.node.classList.add('jp-mod-decided');
  }

  private _controls(show: (() => void) | null): HTMLElement {
    const scopes = this.call.scopes.length ? this.call.scopes : ['once'];
    const buttons = el('div', 'jp-OrchPanelCard-buttons');
    for (const scope of scopes) {
      append(
        buttons,
        button(
          SCOPE_LABELS[scope] ?? scope,
          `jp-OrchPanelCard-${scope}${scope === 'once' ? ' jp-mod-accept' : ''}`,
          () => void this._send(true, scope)
        )
      );
    }
    append(
      buttons,
      button(
        'Reject',
        'jp-OrchPanelCard-reject jp-mod-warn',
        () => void this._send(false, 'once')
      ),
      show ? button('Show in notebook', 'jp-OrchPanelCard-show', show) : null
    );
    this._reason.placeholder = 'Reason for a rejection (the model reads it)';
    this._reason.setAttribute('aria-label', 'Reason');
    append(this._controlsNode, this._reason, buttons);
    return this._controlsNode;
  }

  private async _send(approved: boolean, scope: string): Promise<void> {
    this._controlsNode
      .querySelectorAll('button')
      .forEach(b => (b.disabled = true));
    try {
      await this._decide(approved, this._reason.value, scope);
    } catch (error) {
      this._status.textContent =
        error instanceof Error ? error.message : String(error);
      this._controlsNode
        .querySelectorAll('button')
        .forEach(b => (b.disabled = false));
    }
  }

  private _controlsNode = el('div', 'jp-OrchPanelCard-controls');
  private _reason = el('input', 'jp-OrchPanelCard-reason');
  private _status = el('div', 'jp-OrchPanelCard-status');
}
