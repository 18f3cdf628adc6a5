/**
 * "Copy" and "Insert as cell below" on each code block of a rendered answer.
 */
import { addBelowIcon, copyIcon } from '@jupyterlab/ui-components';

import { append, el, iconButton } from '../common/dom';
import type { ITurnActions } from './actions';

/** The code of a rendered `<pre>` block, as the user would copy it. */
export function codeOf(pre: HTMLElement): string {
  const code = pre.querySelector('code') ?? pre;
  return (code.textContent ?? '').replace(/\n$/, '');
}

/** Add the actions bar to every code block in `host`. */
export function addCodeActions(host: HTMLElement, actions: ITurnActions): void {
  host.querySelectorAll('pre').forEach(pre => {
    const block = el('div', 'jp-OrchCode');
    pre.replaceWith(block);
    const bar = el('div', 'jp-OrchCode-actions');
    append(
      bar,
      iconButton(copyIcon, 'Copy', 'jp-OrchCode-copy', () =>
        actions.copy(codeOf(pre))
      ),
      iconButton(
        addBelowIcon,
        'Insert as cell below',
        'jp-OrchCode-insert',
        () => actions.insertBelow(block, codeOf(pre), 'code')
      )
    );
    append(block, bar, pre);
  });
}
