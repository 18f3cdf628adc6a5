/**
 * jupyter-orch's JupyterLab / Notebook 7 extension: one plugin per feature.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { bridgePlugin } from './bridge';
import { cellMenuPlugin } from './cell-menu';
import { chatCellsPlugin } from './chat-cells';
import { mcpAppsPlugin } from './mcp-apps';
import { notificationsPlugin } from './notifications';
import { statusPlugin } from './status';
import { turnRendererPlugin } from './turn-renderer';

const plugins: JupyterFrontEndPlugin<any>[] = [
  turnRendererPlugin,
  bridgePlugin,
  statusPlugin,
  notificationsPlugin,
  chatCellsPlugin,
  cellMenuPlugin,
  mcpAppsPlugin
];

export default plugins;
