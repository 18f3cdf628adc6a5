/**
 * jupyter-orch's JupyterLab / Notebook 7 extension: one plugin per feature.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { turnRendererPlugin } from './turn-renderer';

const plugins: JupyterFrontEndPlugin<any>[] = [turnRendererPlugin];

export default plugins;
