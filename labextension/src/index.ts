/**
 * jupyter-orch's JupyterLab / Notebook 7 extension: one plugin per feature.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { bridgePlugin } from './bridge';
import { cellMenuPlugin } from './cell-menu';
import { chatCellsPlugin } from './chat-cells';
import { notebookToolsPlugin } from './notebook-tools';
import { mcpAppsPlugin } from './mcp-apps';
import { notificationsPlugin } from './notifications';
import { sidePanelPlugin } from './side-panel';
import { statusPlugin } from './status';
import { streamingPlugin } from './streaming';
import { turnRendererPlugin } from './turn-renderer';

const plugins: JupyterFrontEndPlugin<any>[] = [
  turnRendererPlugin,
  bridgePlugin,
  statusPlugin,
  notificationsPlugin,
  chatCellsPlugin,
  cellMenuPlugin,
  notebookToolsPlugin,
  streamingPlugin,
  sidePanelPlugin,
  mcpAppsPlugin
];

export default plugins;
