/**
 * The footer of a turn (model, parameters, tokens, cost, time) and its info view
 * (versions, tools hash, position in the thread, "Fork the thread from this turn").
 */
import { infoIcon, shareIcon } from '@jupyterlab/ui-components';

import { append, el, iconButton } from '../common/dom';
import type { ITurnActions } from './actions';
import {
  forkCommand,
  formatCost,
  formatParams,
  formatSeconds,
  formatTokens
} from './format';
import type { ITurn } from './record';

function item(className: string, text: string): HTMLElement | null {
  return text ? el('span', `jp-OrchTurn-footerItem ${className}`, text) : null;
}

function infoRows(turn: ITurn): [string, string][] {
  const versions = Object.entries(turn.versions).map(
    ([name, version]): [string, string] => [name, version]
  );
  const servers = Object.entries(turn.mcpServers).map(
    ([name, version]): [string, string] => [name, version]
  );
  const where =
    turn.executionCount !== null ? ` · In [${turn.executionCount}]` : '';
  return [
    ['thread', `${turn.thread} · turn ${turn.position + 1}${where}`],
    ['turn id', turn.id],
    ['follows', turn.parent],
    ['started', turn.startedAt],
    ['ended', turn.endedAt],
    ['first token', formatSeconds(turn.firstTokenS)],
    ['tools offered', turn.toolsOffered.join(', ')],
    ['tools hash', turn.toolsHash],
    ['replayed from', turn.replay],
    ...versions,
    ...servers
  ];
}

/** The info view: provenance rows and the fork action. */
export function infoView(turn: ITurn, actions: ITurnActions): HTMLElement {
  const view = el('div', 'jp-OrchTurn-info');
  view.hidden = true;
  const table = el('dl', 'jp-OrchTurn-infoTable');
  for (const [label, value] of infoRows(turn)) {
    if (value) {
      append(table, el('dt', '', label), el('dd', '', value));
    }
  }
  const fork = iconButton(
    shareIcon,
    'Fork the thread from this turn',
    'jp-OrchTurn-fork',
    () => actions.insertBelow(view, forkCommand(turn), 'code')
  );
  return append(view, table, fork);
}

/** The footer line, with a button that shows or hides `info`. */
export function footer(turn: ITurn, info: HTMLElement): HTMLElement {
  const line = el('div', 'jp-OrchTurn-footer');
  const params = formatParams(turn.params);
  const toggle = iconButton(
    infoIcon,
    'Details',
    'jp-OrchTurn-infoToggle',
    () => {
      info.hidden = !info.hidden;
      toggle.setAttribute('aria-expanded', String(!info.hidden));
    }
  );
  toggle.setAttribute('aria-expanded', 'false');
  return append(
    line,
    item('jp-OrchTurn-model', turn.model),
    item('jp-OrchTurn-params', params),
    item(
      'jp-OrchTurn-tokens',
      formatTokens(turn.promptTokens, turn.completionTokens)
    ),
    item('jp-OrchTurn-cost', formatCost(turn.cost)),
    item('jp-OrchTurn-time', formatSeconds(turn.totalS)),
    toggle
  );
}
