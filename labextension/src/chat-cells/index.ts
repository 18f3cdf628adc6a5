/**
 * `jupyter-orch:chat-cells`: `%%chat` cells highlighted as Markdown below the magic line, and
 * the command "Insert chat cell" (a shortcut and a palette entry).
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import {
  IEditorLanguageRegistry,
  type IEditorLanguage
} from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';

import { insertCellBelow } from '../common/notebook';
import { chatAware } from './language';

export const INSERT_CHAT_CELL = 'jupyter-orch:insert-chat-cell';

function wrap(language: IEditorLanguage | null): void {
  if (!language) {
    return;
  }
  // The registry's entries are CodeMirror LanguageDescriptions: `load` is a method.
  const spec = language as { load?: IEditorLanguage['load']; support?: any };
  const load = spec.load?.bind(spec);
  if (load) {
    spec.load = async () => chatAware(await load());
  }
  if (spec.support) {
    spec.support = chatAware(spec.support);
  }
}

export const chatCellsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:chat-cells',
  description: 'Highlights %%chat cells as Markdown; adds "Insert chat cell".',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  optional: [INotebookTracker, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    languages: IEditorLanguageRegistry,
    tracker: INotebookTracker | null,
    palette: ICommandPalette | null
  ) => {
    wrap(languages.findByName('ipython'));
    wrap(languages.findByName('python'));
    if (!tracker) {
      return;
    }
    app.commands.addCommand(INSERT_CHAT_CELL, {
      label: 'Insert chat cell',
      caption: 'Insert a %%chat cell below the active cell',
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => {
        const panel = tracker.currentWidget;
        if (panel) {
          insertCellBelow(panel, panel.content.activeCellIndex, '%%chat\n');
          panel.content.activeCell?.editor?.setCursorPosition({
            line: 1,
            column: 0
          });
        }
      }
    });
    app.commands.addKeyBinding({
      command: INSERT_CHAT_CELL,
      keys: ['Accel Alt C'],
      selector: '.jp-Notebook'
    });
    palette?.addItem({ command: INSERT_CHAT_CELL, category: 'jupyter-orch' });
  }
};
