/**
 * `jupyter-orch:turn-renderer`: saved turns rendered from their record, preferred over the
 * bundle's text/markdown when this extension is present.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { cellOf, insertCellBelow } from '../common/notebook';
import type { ITurnActions } from './actions';
import { turnRendererFactory } from './widget';

export { drawTurn, RenderedTurn, turnRendererFactory } from './widget';
export { readTurn, TURN_MIME } from './record';

function actions(tracker: INotebookTracker | null): ITurnActions {
  return {
    copy: text => Clipboard.copyToSystem(text),
    insertBelow: (node, source, kind) => {
      const where = tracker ? cellOf(tracker, node) : null;
      if (where) {
        insertCellBelow(where.panel, where.index, source, kind);
      }
    }
  };
}

export const turnRendererPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:turn-renderer',
  description:
    'Renders saved jupyter-orch turns: tool calls, code actions, footer, provenance.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker | null
  ) => {
    const factory = turnRendererFactory(actions(tracker));
    rendermime.addFactory(factory, factory.defaultRank);
  }
};
