/**
 * jupyter-orch's JupyterLab / Notebook 7 extension: one plugin per feature.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { bridgePlugin } from './bridge';
import { turnRendererPlugin } from './turn-renderer';

const plugins: JupyterFrontEndPlugin<any>[] = [
  turnRendererPlugin,
  bridgePlugin
];

export default plugins;
