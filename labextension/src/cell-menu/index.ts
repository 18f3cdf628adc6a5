/**
 * `jupyter-orch:cell-menu`: "Ask about this cell" and, on a cell with an error, "Explain this
 * error" in the cell's context menu; each inserts a `%%chat` cell below quoting the cell.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { Cell } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';

import { insertCellBelow } from '../common/notebook';
import { askAboutCell, errorText, explainError, type Output } from './quote';

export const ASK_ABOUT_CELL = 'jupyter-orch:ask-about-cell';
export const EXPLAIN_ERROR = 'jupyter-orch:explain-error';

function outputsOf(cell: Cell): Output[] {
  const outputs = (cell.model as any).outputs;
  if (!outputs) {
    return [];
  }
  const list: Output[] = [];
  for (let i = 0; i < outputs.length; i++) {
    list.push(outputs.get(i).toJSON() as Output);
  }
  return list;
}

/** The highest execution count in the notebook: the cell that ran last. */
function lastCount(cells: readonly Cell[]): number | null {
  let last: number | null = null;
  for (const cell of cells) {
    const count = (cell.model as any).executionCount;
    if (typeof count === 'number' && (last === null || count > last)) {
      last = count;
    }
  }
  return last;
}

export const cellMenuPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:cell-menu',
  description: 'Ask about a cell, or explain its error, in a new %%chat cell.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker) => {
    // The cell under the context menu (right-click), else the active cell.
    const target = (): { index: number; cell: Cell } | null => {
      const panel = tracker.currentWidget;
      if (!panel) {
        return null;
      }
      const node = app.contextMenuHitTest(n => n.classList.contains('jp-Cell'));
      const cells = panel.content.widgets;
      const index = node
        ? cells.findIndex(c => c.node === node)
        : panel.content.activeCellIndex;
      return index >= 0 ? { index, cell: cells[index] } : null;
    };
    const insert = (build: typeof explainError) => {
      const panel = tracker.currentWidget;
      const found = target();
      if (panel && found) {
        const count = (found.cell.model as any).executionCount ?? null;
        const source = found.cell.model.sharedModel.getSource();
        const latest =
          count !== null && count === lastCount(panel.content.widgets);
        insertCellBelow(
          panel,
          found.index,
          build(source, outputsOf(found.cell), count, latest)
        );
      }
    };
    app.commands.addCommand(ASK_ABOUT_CELL, {
      label: 'Ask about this cell',
      caption: 'Insert a %%chat cell below that quotes this cell',
      execute: () => insert(askAboutCell)
    });
    app.commands.addCommand(EXPLAIN_ERROR, {
      label: 'Explain this error',
      caption: "Insert a %%chat cell below that quotes this cell's error",
      isVisible: () => {
        const found = target();
        return !!found && errorText(outputsOf(found.cell)) !== null;
      },
      execute: () => insert(explainError)
    });
    const selector = '.jp-Notebook .jp-Cell';
    app.contextMenu.addItem({ command: ASK_ABOUT_CELL, selector, rank: 12 });
    app.contextMenu.addItem({ command: EXPLAIN_ERROR, selector, rank: 12.1 });
  }
};
