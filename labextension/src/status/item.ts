/**
 * The status-bar item: the orchestrator's state in the active notebook's kernel.
 */
import { jupyterIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { el } from '../common/dom';
import { readStatus, statusText, type IStatus } from './text';

export class StatusItem extends Widget {
  constructor(private readonly _onClick: () => void) {
    super();
    this.addClass('jp-OrchStatus');
    this.node.appendChild(jupyterIcon.element({ tag: 'span' }));
    this.node.appendChild(this._label);
    this.node.addEventListener('click', () => this._onClick());
    this.display(null);
  }

  /** Show `status` (null: no jupyter-orch here), or a one-line `problem` of the bridge. */
  display(status: IStatus | null, problem = ''): void {
    this._status = status;
    this._started = performance.now() - (status?.elapsed ?? 0) * 1000;
    this.node.hidden = status === null && !problem;
    this.node.dataset.state = problem ? 'refused' : (status?.state ?? 'none');
    this.toggleClass('jp-mod-waiting', status?.state === 'waiting');
    this.node.title =
      problem || 'jupyter-orch: the chat orchestrator in this kernel';
    this._render(problem);
    this._tick(status?.state === 'tool');
  }

  /** Show a `status` event's data. */
  showData(data: unknown): void {
    this.display(readStatus(data));
  }

  dispose(): void {
    this._tick(false);
    super.dispose();
  }

  private _render(problem = ''): void {
    const elapsed = (performance.now() - this._started) / 1000;
    this._label.textContent = problem
      ? 'jupyter-orch: bridge refused'
      : this._status
        ? statusText(this._status, elapsed)
        : '';
  }

  private _tick(on: boolean): void {
    if (this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
    }
    if (on) {
      this._timer = setInterval(() => this._render(), 1000);
    }
  }

  private _label = el('span', 'jp-OrchStatus-label');
  private _started = 0;
  private _status: IStatus | null = null;
  private _timer: ReturnType<typeof setInterval> | null = null;
}
