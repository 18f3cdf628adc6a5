/**
 * The thread's usage (tokens, cost) and a gauge of how full the model's context window is.
 */
import { append, el } from '../common/dom';
import { formatUsage, gauge } from './format';
import type { IUsageReport } from './protocol';

export class UsageView {
  constructor() {
    this._bar.setAttribute('role', 'meter');
    this._bar.setAttribute('aria-label', 'Context window');
    this._bar.appendChild(this._fill);
    append(this.node, this._tokens, this._bar, this._context);
  }

  readonly node = el('div', 'jp-OrchUsage');

  show(report: IUsageReport): void {
    this._tokens.textContent = formatUsage(report.usage);
    const fill = gauge(report.used, report.window);
    this._context.textContent = fill.text;
    this._bar.hidden = fill.fraction === null;
    const percent = Math.round((fill.fraction ?? 0) * 100);
    this._fill.style.width = `${percent}%`;
    this._bar.setAttribute('aria-valuenow', String(percent));
    this._bar.classList.toggle('jp-mod-full', (fill.fraction ?? 0) >= 0.8);
  }

  private _bar = el('div', 'jp-OrchUsage-gauge');
  private _context = el('div', 'jp-OrchUsage-context');
  private _fill = el('div', 'jp-OrchUsage-fill');
  private _tokens = el('div', 'jp-OrchUsage-tokens');
}
