/**
 * `jupyter-orch:bridge`: the page's side of the comm to jupyter-orch in each notebook's kernel.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

import { OrchBridge } from './manager';
import { IOrchBridge } from './tokens';

export { OrchBridge } from './manager';
export * from './tokens';

export const bridgePlugin: JupyterFrontEndPlugin<IOrchBridge> = {
  id: 'jupyter-orch:bridge',
  description: 'Connects the page to jupyter-orch in each notebook kernel.',
  autoStart: true,
  provides: IOrchBridge,
  optional: [INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker | null
  ): IOrchBridge => {
    const bridge = new OrchBridge({ name: app.name, version: app.version });
    notebooks?.widgetAdded.connect((_, panel) =>
      bridge.watch(panel.sessionContext)
    );
    notebooks?.forEach(panel => bridge.watch(panel.sessionContext));
    window.addEventListener('pagehide', () => bridge.goodbye());
    // Tests and the curious can look at the connections from the console.
    (window as any).jupyterOrchBridge = bridge;
    return bridge;
  }
};
