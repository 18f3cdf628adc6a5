/**
 * What the rendered turn asks of the application (inserting cells, copying): a small seam,
 * so the renderer can be built and tested without a running JupyterLab.
 */

export interface ITurnActions {
  /** Copy text to the clipboard. */
  copy(text: string): void;
  /** Insert a cell with `source` below the cell whose output holds `node`. */
  insertBelow(
    node: HTMLElement,
    source: string,
    kind: 'code' | 'markdown'
  ): void;
}

/** Actions that do nothing (a viewer with no notebook, and tests that do not need them). */
export const NO_ACTIONS: ITurnActions = {
  copy: () => undefined,
  insertBelow: () => undefined
};
