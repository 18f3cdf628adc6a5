/**
 * The panel's head: which kernel it is on, the thread (switch, new, clear) and the tabs.
 */
import { addIcon, deleteIcon } from '@jupyterlab/ui-components';

import { append, el, iconButton } from '../common/dom';
import type { IThreadInfo } from './protocol';

export interface IHeaderHooks {
  switchTo(thread: string): void;
  newThread(): void;
  clear(): void;
  tab(name: 'chat' | 'tools'): void;
}

/** One option's words: "default · 3 turns · openai/gpt-4o-mini". */
export function threadWords(thread: IThreadInfo): string {
  const turns = `${thread.turns} turn${thread.turns === 1 ? '' : 's'}`;
  return [thread.name, turns, thread.lastModel].filter(Boolean).join(' · ');
}

export class Header {
  constructor(private readonly _hooks: IHeaderHooks) {
    this._threads.setAttribute('aria-label', 'Thread');
    this._threads.addEventListener('change', () =>
      this._hooks.switchTo(this._threads.value)
    );
    const bar = el('div', 'jp-OrchHeader-threads');
    append(
      bar,
      el('span', 'jp-OrchHeader-label', 'Thread'),
      this._threads,
      iconButton(addIcon, 'New thread', 'jp-OrchHeader-new', () =>
        this._hooks.newThread()
      ),
      iconButton(deleteIcon, 'Clear the thread', 'jp-OrchHeader-clear', () =>
        this._hooks.clear()
      )
    );
    const tabs = el('div', 'jp-OrchHeader-tabs');
    tabs.setAttribute('role', 'tablist');
    for (const name of ['chat', 'tools'] as const) {
      const tab = el(
        'button',
        'jp-OrchHeader-tab',
        name === 'chat' ? 'Chat' : 'Tools'
      );
      tab.type = 'button';
      tab.setAttribute('role', 'tab');
      tab.dataset.tab = name;
      tab.addEventListener('click', () => this._hooks.tab(name));
      tabs.appendChild(tab);
    }
    append(this.node, this._kernel, bar, tabs);
    this.selectTab('chat');
  }

  readonly node = el('div', 'jp-OrchHeader');

  /** Say which kernel the panel is on. */
  kernel(text: string, connected: boolean): void {
    this._kernel.textContent = text;
    this._kernel.classList.toggle('jp-mod-connected', connected);
  }

  /** List the threads, `current` selected. */
  threads(threads: IThreadInfo[], current: string): void {
    this._threads.textContent = '';
    const names = threads.map(t => t.name);
    const all = names.includes(current)
      ? threads
      : [
          ...threads,
          {
            name: current,
            turns: 0,
            lastModel: '',
            busy: '',
            usage: { promptTokens: 0, completionTokens: 0, cost: null }
          }
        ];
    for (const thread of all) {
      const option = el('option', '', threadWords(thread));
      option.value = thread.name;
      this._threads.appendChild(option);
    }
    this._threads.value = current;
  }

  selectTab(name: 'chat' | 'tools'): void {
    this.node
      .querySelectorAll<HTMLElement>('.jp-OrchHeader-tab')
      .forEach(tab => {
        tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
      });
  }

  private _kernel = el('div', 'jp-OrchHeader-kernel');
  private _threads = el('select', 'jp-OrchHeader-select');
}
