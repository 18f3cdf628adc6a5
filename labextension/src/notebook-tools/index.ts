/**
 * `jupyter-orch:notebook-tools`: the page side of the notebook tools. The kernel reads the
 * live notebook (`notebook.read`) and, once the user approved an edit on its card, has the
 * page apply it through the notebook's model (`notebook.edit`); "Undo the chat's changes"
 * reverts the edits of the last turn that made any, as one step.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

import { IOrchBridge } from '../bridge/tokens';
import { cellModels, cellState, panelFor, whereIs } from './panel';
import { readCells, type IReadParams } from './read';

export const notebookToolsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:notebook-tools',
  description:
    "Lets the kernel's chat read the notebook and apply approved edits.",
  autoStart: true,
  requires: [IOrchBridge, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    bridge: IOrchBridge,
    tracker: INotebookTracker
  ) => {
    bridge.addCapability('notebook.read');
    bridge.handle('notebook.read', (params, connection) => {
      const asked = (params ?? {}) as IReadParams;
      const panel = panelFor(tracker, connection, asked.cell_id);
      const cells = cellModels(panel).map(cellState);
      return readCells(cells, asked, whereIs(panel));
    });
  }
};
