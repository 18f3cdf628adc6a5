/**
 * The approval card of an app's own tool call made after its turn ended (no turn's card can
 * show it then): what the app wants to run, Approve (with its scopes) and Reject with a
 * reason. The decision goes to the kernel's `approval.decide`, as a notification's does;
 * the card carries the call's CSS class, so notifications find it and scroll to it.
 */
import { el } from '../common/dom';

export interface IAppPending {
  appId: string;
  callId: string;
  card: string;
  tool: string;
  source: string;
  description: string;
  annotations: Record<string, unknown>;
  arguments: string;
  scopes: string[];
  changed: string;
}

export interface IDecision {
  approved: boolean;
  scope?: string;
  reason?: string;
}

const SCOPE_LABELS: Record<string, string> = {
  once: 'Approve',
  session: 'Allow for this session',
  always: 'Always allow'
};

function text(value: unknown, limit = 4000): string {
  return typeof value === 'string' ? value.slice(0, limit) : '';
}

/** Read an `mcp_apps.pending` event, or `null` when it is not one. */
export function readAppPending(data: unknown): IAppPending | null {
  const d = (data ?? {}) as Record<string, unknown>;
  const callId = text(d.call_id, 200);
  const card = text(d.card, 260);
  if (
    !text(d.app_id) ||
    !callId ||
    !/^jupyter-orch-call-[A-Za-z0-9_-]+$/.test(card)
  ) {
    return null;
  }
  const scopes = Array.isArray(d.scopes)
    ? d.scopes.filter(s => s in SCOPE_LABELS)
    : [];
  const annotations =
    d.annotations && typeof d.annotations === 'object' ? d.annotations : {};
  return {
    appId: text(d.app_id),
    callId,
    card,
    tool: text(d.tool, 200),
    source: text(d.source, 200),
    description: text(d.description, 500),
    annotations: annotations as Record<string, unknown>,
    arguments: text(d.arguments),
    scopes: scopes.length ? scopes : ['once'],
    changed: text(d.changed, 1000)
  };
}

/** The server's claims about the tool, in words (they decide nothing). */
export function hintWords(annotations: Record<string, unknown>): string {
  const words: string[] = [];
  if (annotations.readOnlyHint === true) {
    words.push('read-only');
  }
  if (
    annotations.destructiveHint === true &&
    annotations.readOnlyHint !== true
  ) {
    words.push('destructive');
  }
  return words.length
    ? `The server says this tool is ${words.join(', ')}.`
    : '';
}

export class AppApprovalCard {
  constructor(
    readonly pending: IAppPending,
    private readonly _decide: (decision: IDecision) => Promise<void>
  ) {
    const node = el('div', `jp-OrchApp-card ${pending.card}`);
    node.append(
      el(
        'div',
        'jp-OrchApp-cardTitle',
        `The app asks to run ${pending.tool} (from ${pending.source})`
      )
    );
    if (pending.description) {
      node.append(el('div', 'jp-OrchApp-cardNote', pending.description));
    }
    const hints = hintWords(pending.annotations);
    if (hints) {
      node.append(el('div', 'jp-OrchApp-cardNote', hints));
    }
    if (pending.changed) {
      node.append(
        el(
          'div',
          'jp-OrchApp-cardWarn',
          `Changed since you allowed it: ${pending.changed}`
        )
      );
    }
    node.append(el('pre', 'jp-OrchApp-cardArgs', pending.arguments));
    this._buttons = el('div', 'jp-OrchApp-cardButtons');
    this._reason = el('input', 'jp-OrchApp-cardReason');
    this._reason.placeholder = 'Reason (optional)';
    for (const scope of pending.scopes) {
      this._buttons.append(
        this._button(SCOPE_LABELS[scope], 'jp-mod-accept', {
          approved: true,
          scope
        })
      );
    }
    this._buttons.append(
      this._button('Reject', 'jp-mod-reject', { approved: false }),
      this._reason
    );
    this._status = el(
      'div',
      'jp-OrchApp-cardStatus',
      'Waiting for your decision…'
    );
    node.append(this._buttons, this._status);
    this.node = node;
  }

  readonly node: HTMLElement;

  /** The call was decided (here, in a notification, or by its expiry). */
  decided(approved: boolean, by: string): void {
    this._buttons.remove();
    const who = by === 'user' ? 'you' : by;
    this._status.textContent =
      by === 'expired'
        ? 'Expired.'
        : `${approved ? 'Approved' : 'Rejected'} by ${who}.`;
  }

  private _button(
    label: string,
    mod: string,
    decision: IDecision
  ): HTMLButtonElement {
    const button = el('button', `jp-OrchApp-cardButton ${mod}`, label);
    button.type = 'button';
    // As JupyterLab's toolbar buttons do: the notebook then leaves the active cell alone, so
    // the page does not scroll under the pointer between press and release.
    button.addEventListener('mousedown', event => event.preventDefault());
    button.addEventListener('click', () => {
      const reason = this._reason.value.trim();
      this._buttons
        .querySelectorAll('button')
        .forEach(b => (b.disabled = true));
      void this._decide(
        decision.approved ? decision : { ...decision, reason }
      ).catch(error => {
        this._buttons
          .querySelectorAll('button')
          .forEach(b => (b.disabled = false));
        this._status.textContent =
          error instanceof Error ? error.message : String(error);
      });
    });
    return button;
  }

  private _buttons: HTMLElement;
  private _reason: HTMLInputElement;
  private _status: HTMLElement;
}
