/**
 * Notebook helpers shared by the features: find the cell that holds a node, insert a cell.
 */
import {
  NotebookActions,
  type INotebookTracker,
  type NotebookPanel
} from '@jupyterlab/notebook';

/** The notebook panel and cell index whose DOM holds `node`, if any. */
export function cellOf(
  tracker: INotebookTracker,
  node: HTMLElement
): { panel: NotebookPanel; index: number } | null {
  let found: { panel: NotebookPanel; index: number } | null = null;
  tracker.forEach(panel => {
    if (found || !panel.node.contains(node)) {
      return;
    }
    const index = panel.content.widgets.findIndex(cell =>
      cell.node.contains(node)
    );
    if (index >= 0) {
      found = { panel, index };
    }
  });
  return found;
}

/** Insert a cell of `kind` with `source` below cell `index`, and make it the active one. */
export function insertCellBelow(
  panel: NotebookPanel,
  index: number,
  source: string,
  kind: 'code' | 'markdown' = 'code'
): void {
  const notebook = panel.content;
  notebook.activeCellIndex = index;
  NotebookActions.insertBelow(notebook);
  if (kind === 'markdown') {
    NotebookActions.changeCellType(notebook, 'markdown');
  }
  const cell = notebook.activeCell;
  if (!cell) {
    return;
  }
  cell.model.sharedModel.setSource(source);
  notebook.mode = 'edit';
  // The editor of a new cell may not exist yet (windowed notebooks create it when shown).
  void cell.ready.then(() => {
    const editor = cell.editor;
    if (editor) {
      editor.setCursorPosition(
        editor.getPositionAt(source.length) ?? { line: 0, column: 0 }
      );
      editor.focus();
    }
  });
}
