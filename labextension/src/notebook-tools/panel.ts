/**
 * The notebook a kernel's request is about, and its cells as the page's model holds them.
 */
import type { ICellModel, ICodeCellModel } from '@jupyterlab/cells';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import type { IBridgeConnection } from '../bridge/tokens';
import { panelsOf } from '../common/kernels';
import type { ICellState, Json } from './read';

/**
 * The notebook panel of the connection's kernel: the one holding `cellId` (the running chat
 * cell) when given and found, else the first. Throws a one-line Error when there is none.
 */
export function panelFor(
  tracker: INotebookTracker,
  connection: IBridgeConnection,
  cellId?: string | null
): NotebookPanel {
  const panels = panelsOf(tracker, connection);
  const holding = cellId
    ? panels.find(panel => indexOfId(panel, cellId) >= 0)
    : undefined;
  const panel = holding ?? panels[0];
  if (!panel || !panel.content.model) {
    throw new Error('no notebook of this kernel is open on the page');
  }
  return panel;
}

/** The cell models, in order. */
export function cellModels(panel: NotebookPanel): ICellModel[] {
  const cells = panel.content.model?.cells;
  const out: ICellModel[] = [];
  if (cells) {
    for (let i = 0; i < cells.length; i++) {
      out.push(cells.get(i));
    }
  }
  return out;
}

/** The 0-based index of the cell with id `id`, or -1. */
export function indexOfId(panel: NotebookPanel, id: string): number {
  return cellModels(panel).findIndex(cell => cell.id === id);
}

/** A cell's JSON and whether it runs (or waits to) now. */
export function cellState(cell: ICellModel): ICellState {
  const json = cell.toJSON() as Json;
  const running =
    cell.type === 'code' &&
    (cell as ICodeCellModel).executionState === 'running';
  return { json, running };
}

/** Where the notebook is: its path and whether it has unsaved changes. */
export function whereIs(panel: NotebookPanel): {
  path: string;
  dirty: boolean;
} {
  return { path: panel.context.path, dirty: panel.context.model.dirty };
}
