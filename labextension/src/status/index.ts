/**
 * `jupyter-orch:status`: a status-bar item fed by the kernel's `status` events.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';

import { IOrchBridge, type IBridgeConnection } from '../bridge/tokens';
import { SHOW_PENDING } from '../notifications/commands';
import { StatusItem } from './item';
import { readStatus, type IStatus } from './text';

export const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:status',
  description: 'Shows what jupyter-orch is doing in the status bar.',
  autoStart: true,
  requires: [IOrchBridge, INotebookTracker],
  optional: [IStatusBar],
  activate: (
    app: JupyterFrontEnd,
    bridge: IOrchBridge,
    tracker: INotebookTracker,
    statusBar: IStatusBar | null
  ) => {
    bridge.addCapability('status');
    if (!statusBar) {
      return; // Notebook 7 has no status bar: the notifications still work.
    }
    const last = new WeakMap<IBridgeConnection, IStatus>();
    const item = new StatusItem(() => void app.commands.execute(SHOW_PENDING));
    const refresh = () => {
      const connection = bridge.connectionFor(
        tracker.currentWidget?.sessionContext
      );
      if (
        !connection ||
        connection.state === 'absent' ||
        connection.state === 'closed'
      ) {
        item.display(null);
      } else if (connection.state === 'refused') {
        item.display(null, connection.message);
      } else {
        const welcome = (connection.welcomeState ?? {}) as { status?: unknown };
        item.display(last.get(connection) ?? readStatus(welcome.status));
      }
    };
    bridge.eventReceived.connect((_, { connection, name, data }) => {
      if (name === 'status') {
        last.set(connection, readStatus(data));
        refresh();
      }
    });
    bridge.connectionChanged.connect((_, connection) => {
      if (connection.state !== 'connected') {
        last.delete(connection);
      }
      refresh();
    });
    tracker.currentChanged.connect(refresh);
    statusBar.registerStatusItem('jupyter-orch:status', {
      item,
      align: 'left',
      rank: 5
    });
    refresh();
  }
};
