/**
 * `jupyter-orch:side-panel`: a docked chat panel (right side) bound to the kernel of the
 * active notebook or console; it follows the user from one to the next.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  type ISessionContext
} from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { jupyterIcon } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';

import { IOrchBridge } from '../bridge/tokens';
import { insertCellBelow } from '../common/notebook';
import { SHOW_PENDING } from '../notifications/commands';
import type { ITurnActions } from '../turn-renderer/actions';
import type { MarkdownOptions } from '../turn-renderer/markdown';
import { ChatSidePanel, PANEL_ID } from './panel';

export { ChatSidePanel } from './panel';

export const OPEN_PANEL = 'jupyter-orch:open-side-panel';

/** The session of a notebook or console widget (both have `sessionContext`). */
export function sessionOf(widget: Widget | null): ISessionContext | null {
  const context = (widget as { sessionContext?: ISessionContext } | null)
    ?.sessionContext;
  return context && typeof context.kernelChanged?.connect === 'function'
    ? context
    : null;
}

function markdownOptions(rendermime: IRenderMimeRegistry): MarkdownOptions {
  return {
    sanitizer: rendermime.sanitizer,
    resolver: rendermime.resolver,
    linkHandler: rendermime.linkHandler,
    latexTypesetter: rendermime.latexTypesetter,
    markdownParser: rendermime.markdownParser
  };
}

/** Code blocks' "Insert as cell below" goes below the active cell of the current notebook. */
function actions(tracker: INotebookTracker | null): ITurnActions {
  return {
    copy: text => Clipboard.copyToSystem(text),
    insertBelow: (_node, source, kind) => {
      const panel = tracker?.currentWidget;
      if (panel) {
        insertCellBelow(panel, panel.content.activeCellIndex, source, kind);
      }
    }
  };
}

export const sidePanelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:side-panel',
  description:
    "A chat panel bound to the active notebook's (or console's) kernel: threads, models, tools, usage.",
  autoStart: true,
  requires: [IOrchBridge, IRenderMimeRegistry],
  optional: [INotebookTracker, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    bridge: IOrchBridge,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const panel = new ChatSidePanel(bridge, {
      options: markdownOptions(rendermime),
      actions: actions(tracker),
      showPending: () => void app.commands.execute(SHOW_PENDING)
    });
    panel.title.icon = jupyterIcon;
    panel.title.caption = 'Chat (jupyter-orch)';
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    const follow = (widget: Widget | null) => {
      const context = sessionOf(widget);
      if (context) {
        bridge.watch(context); // consoles too; notebooks are followed already
        panel.bind(context);
      }
    };
    app.shell.currentChanged?.connect((_, change) => follow(change.newValue));
    tracker?.currentChanged.connect((_, notebook) => follow(notebook));
    void app.restored.then(() =>
      follow(app.shell.currentWidget ?? tracker?.currentWidget ?? null)
    );

    app.commands.addCommand(OPEN_PANEL, {
      label: 'Open the chat panel (jupyter-orch)',
      execute: () => {
        app.shell.activateById(panel.id);
        follow(app.shell.currentWidget);
      }
    });
    palette?.addItem({ command: OPEN_PANEL, category: 'jupyter-orch' });
  }
};
