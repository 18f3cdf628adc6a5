/**
 * `jupyter-orch:notifications`: when a card waiting for a decision is not on screen, a
 * notification offers Approve, Reject and Show. The choice goes to the same pending approval
 * (by call id) as the card's buttons.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';

import { IOrchBridge, type IBridgeConnection } from '../bridge/tokens';
import { oneLine } from '../bridge/protocol';
import { SHOW_PENDING } from './commands';
import { Watcher } from './watcher';

function notify(params: unknown): { shown: boolean } {
  const p = (params ?? {}) as { message?: unknown; type?: unknown };
  const types = ['info', 'success', 'warning', 'error'] as const;
  const type = types.find(t => t === p.type) ?? 'info';
  Notification.emit(oneLine(p.message ?? '', 200), type, { autoClose: 5000 });
  return { shown: true };
}

export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:notifications',
  description:
    'Asks for pending tool-call decisions when their card is out of view.',
  autoStart: true,
  requires: [IOrchBridge, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    bridge: IOrchBridge,
    tracker: INotebookTracker
  ) => {
    bridge.addCapability('notify');
    bridge.handle('notify', notify);
    const watchers = new Map<string, Watcher>();
    const forget = (callId: string) => {
      watchers.get(callId)?.dispose();
      watchers.delete(callId);
    };
    const watch = (connection: IBridgeConnection, data: unknown) => {
      const watcher = Watcher.create(tracker, connection, data);
      if (watcher && !watchers.has(watcher.pending.callId)) {
        watchers.set(watcher.pending.callId, watcher);
        watcher.disposed.connect(() => watchers.delete(watcher.pending.callId));
      }
    };
    bridge.eventReceived.connect((_, { connection, name, data }) => {
      if (name === 'approval.pending') {
        watch(connection, data);
      } else if (name === 'approval.decided') {
        forget(String((data ?? {}).call_id));
      }
    });
    bridge.connectionChanged.connect((_, connection) => {
      if (connection.state === 'connected') {
        const state = (connection.welcomeState ?? {}) as {
          pending?: unknown[];
        };
        (state.pending ?? []).forEach(data => watch(connection, data));
      } else {
        watchers.forEach(w => w.connection === connection && w.dispose());
      }
    });
    app.commands.addCommand(SHOW_PENDING, {
      label: 'Show the tool call waiting for a decision',
      execute: () => watchers.values().next().value?.show()
    });
  }
};
