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
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';

import { IOrchBridge } from '../bridge/tokens';
import { applyEdit, journalOf, undoLatest, type IEditParams } from './edit';
import { cellModels, cellState, panelFor, whereIs } from './panel';
import { readCells, type IReadParams } from './read';

export const UNDO_CHAT_CHANGES = 'jupyter-orch:undo-chat-changes';
const UNDO_LABEL = "Undo the chat's changes";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const notebookToolsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:notebook-tools',
  description:
    "Lets the kernel's chat read the notebook and apply approved edits.",
  autoStart: true,
  requires: [IOrchBridge, INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    bridge: IOrchBridge,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ) => {
    const toasts = new Map<string, string>(); // turn -> its notification
    const announce = (panel: NotebookPanel, turn: string) => {
      const count = journalOf(panel).count(turn);
      const message = `The chat changed this notebook (${plural(count, 'edit')} in this turn).`;
      const options = {
        autoClose: 8000,
        actions: [
          {
            label: UNDO_LABEL,
            callback: () => void app.commands.execute(UNDO_CHAT_CHANGES)
          }
        ]
      };
      const shown = toasts.get(turn);
      if (shown && Notification.manager.has(shown)) {
        Notification.update({ id: shown, message, ...options });
      } else {
        toasts.set(turn, Notification.info(message, options));
      }
    };

    bridge.addCapability('notebook.read');
    bridge.handle('notebook.read', (params, connection) => {
      const asked = (params ?? {}) as IReadParams;
      const panel = panelFor(tracker, connection, asked.cell_id);
      return readCells(cellModels(panel).map(cellState), asked, whereIs(panel));
    });
    bridge.addCapability('notebook.edit');
    bridge.handle('notebook.edit', (params, connection) => {
      const asked = (params ?? {}) as IEditParams;
      const panel = panelFor(tracker, connection, asked.id ?? asked.after);
      const answer = applyEdit(panel, asked);
      announce(panel, asked.turn ?? '');
      return answer;
    });

    app.commands.addCommand(UNDO_CHAT_CHANGES, {
      label: UNDO_LABEL,
      caption:
        'Revert every edit the last chat turn made to this notebook, as one step',
      isEnabled: () => {
        const panel = tracker.currentWidget;
        return !!panel && journalOf(panel).latest !== null;
      },
      execute: () => {
        const panel = tracker.currentWidget;
        if (!panel) {
          return;
        }
        const { undone, kept } = undoLatest(panel);
        const left = kept.length
          ? `; ${plural(kept.length, 'cell')} changed since and kept as they are`
          : '';
        Notification.info(
          `Undid ${plural(undone, 'change')} of the chat${left}.`,
          {
            autoClose: 5000
          }
        );
      }
    });
    palette?.addItem({ command: UNDO_CHAT_CHANGES, category: 'jupyter-orch' });
    app.contextMenu.addItem({
      command: UNDO_CHAT_CHANGES,
      selector: '.jp-Notebook .jp-Cell',
      rank: 12.2
    });
  }
};
