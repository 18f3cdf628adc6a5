/**
 * Finding the notebook of a bridge connection (the panel whose kernel it runs over).
 */
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import type { IBridgeConnection } from '../bridge/tokens';

/** The notebook panels whose kernel is the connection's. */
export function panelsOf(
  tracker: INotebookTracker,
  connection: IBridgeConnection
): NotebookPanel[] {
  const panels: NotebookPanel[] = [];
  tracker.forEach(panel => {
    if (panel.sessionContext.session?.kernel === connection.kernel) {
      panels.push(panel);
    }
  });
  return panels;
}
