/**
 * `jupyter-orch:mcp-apps`: MCP Apps drawn in cell outputs, each in its sandboxed iframe,
 * talking to its tool's server only through the kernel (and its approval cards).
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { IOrchBridge } from '../bridge/tokens';
import { appRendererFactory } from './widget';

export { buildCsp, keptDomains, safeSource } from './csp';
export { withPolicy } from './document';
export { APP_MIME } from './record';
export { AppSession } from './session';
export { AppView, appRendererFactory } from './widget';

export const mcpAppsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-orch:mcp-apps',
  description: 'Draws MCP Apps in cell outputs, sandboxed, through the kernel.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IOrchBridge],
  optional: [INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    bridge: IOrchBridge,
    tracker: INotebookTracker | null
  ) => {
    const factory = appRendererFactory({
      bridge,
      tracker,
      version: app.version
    });
    rendermime.addFactory(factory, factory.defaultRank);
    bridge.addCapability('mcp-apps');
  }
};
