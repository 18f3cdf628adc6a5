/**
 * Finding an approval card in a notebook, watching whether it is on screen, scrolling to it.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';

import type { IPending } from './pending';

/** The card's element in `panel`, if it is in the DOM. */
export function findCard(
  panel: NotebookPanel,
  pending: IPending
): HTMLElement | null {
  return panel.node.querySelector<HTMLElement>(`.${pending.card}`);
}

/** Wait (at most `timeoutMs`) for the card to be in the DOM. */
export function waitForCard(
  panel: NotebookPanel,
  pending: IPending,
  timeoutMs: number
): Promise<HTMLElement | null> {
  const found = findCard(panel, pending);
  if (found) {
    return Promise.resolve(found);
  }
  return new Promise(resolve => {
    const observer = new MutationObserver(() => {
      const card = findCard(panel, pending);
      if (card) {
        finish(card);
      }
    });
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (card: HTMLElement | null) => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(card);
    };
    observer.observe(panel.node, { childList: true, subtree: true });
  });
}

/** Scroll the card into view, bringing its cell into the DOM first if it was windowed out. */
export async function showCard(
  panel: NotebookPanel,
  pending: IPending
): Promise<void> {
  let card = findCard(panel, pending);
  if (!card && pending.cellId) {
    const notebook = panel.content;
    const index = notebook.widgets.findIndex(
      cell => cell.model.id === pending.cellId
    );
    if (index >= 0) {
      await notebook.scrollToItem(index, 'center');
      card = await waitForCard(panel, pending, 2000);
    }
  }
  card?.scrollIntoView({ block: 'center', behavior: 'auto' });
}
