/**
 * One tool call as a collapsible block: name, source, decision, duration in the summary;
 * arguments, the decision's details and the result inside.
 */
import {
  buildIcon,
  checkIcon,
  closeIcon,
  errorIcon
} from '@jupyterlab/ui-components';

import { append, el } from '../common/dom';
import {
  callState,
  codeArguments,
  decisionScope,
  decisionText,
  fenced,
  formatSeconds,
  prettyArguments
} from './format';
import { renderUntrusted, type MarkdownOptions } from './markdown';
import type { IToolCall } from './record';

const STATE_ICONS = {
  approved: checkIcon,
  automatic: checkIcon,
  rejected: closeIcon,
  expired: closeIcon,
  error: errorIcon
};

function row(label: string, value: string): HTMLElement | null {
  if (!value) {
    return null;
  }
  return append(
    el('div', 'jp-OrchToolCall-row'),
    el('span', 'jp-OrchToolCall-label', label),
    el('span', 'jp-OrchToolCall-value', value)
  );
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return append(
    el('div', 'jp-OrchToolCall-section'),
    el('div', 'jp-OrchToolCall-title', title),
    ...children
  );
}

function summary(
  call: IToolCall,
  state: keyof typeof STATE_ICONS
): HTMLElement {
  const line = el('summary', 'jp-OrchToolCall-summary');
  const where = call.server ? `${call.source} (${call.server})` : call.source;
  append(
    line,
    buildIcon.element({ tag: 'span', className: 'jp-OrchToolCall-icon' }),
    el('span', 'jp-OrchToolCall-name', call.name),
    where ? el('span', 'jp-OrchToolCall-source', `from ${where}`) : null,
    STATE_ICONS[state].element({
      tag: 'span',
      className: 'jp-OrchToolCall-stateIcon'
    }),
    el('span', 'jp-OrchToolCall-state', state),
    call.seconds !== null
      ? el('span', 'jp-OrchToolCall-duration', formatSeconds(call.seconds))
      : null
  );
  return line;
}

function decision(call: IToolCall): HTMLElement {
  const d = call.decision;
  return section(
    'Decision',
    row('outcome', decisionText(d)),
    row('reason', d?.reason ?? ''),
    row('scope', decisionScope(d)),
    row('policy', call.policy)
  );
}

const ANSWERS: Record<string, string> = {
  accept: 'accepted',
  decline: 'declined',
  cancel: 'cancelled'
};

/** The server's questions during the call, as text (untrusted: never HTML). */
function elicitations(call: IToolCall): HTMLElement | null {
  if (call.elicitations.length === 0) {
    return null;
  }
  const rows = call.elicitations.map(asked => {
    const what = [asked.mode, asked.fields.join(', '), asked.url]
      .filter(Boolean)
      .join(': ');
    const answer = ANSWERS[asked.action] ?? asked.action;
    const content =
      asked.content !== null ? ` ${JSON.stringify(asked.content)}` : '';
    const reason = asked.reason ? ` (${asked.reason})` : '';
    return row(what, `${asked.message} → ${answer}${reason}${content}`);
  });
  return section('Asked the user', ...rows);
}

function result(call: IToolCall): HTMLElement | null {
  if (!call.result) {
    return null;
  }
  const pre = el(
    'pre',
    'jp-OrchToolCall-result',
    call.result.text || '(empty)'
  );
  const structured =
    call.result.structured !== null
      ? el(
          'pre',
          'jp-OrchToolCall-structured',
          JSON.stringify(call.result.structured, null, 2)
        )
      : null;
  return section(call.result.isError ? 'Error' : 'Result', pre, structured);
}

/** Build the block of one call; the arguments render (highlighted) asynchronously. */
export function toolCallBlock(
  call: IToolCall,
  options: MarkdownOptions
): { node: HTMLElement; ready: Promise<void> } {
  const state = callState(call) as keyof typeof STATE_ICONS;
  const node = el('details', `jp-OrchToolCall jp-mod-${state}`);
  node.dataset.callId = call.id;
  const args = el('div', 'jp-OrchToolCall-arguments');
  const code = codeArguments(call);
  const source = [
    fenced(prettyArguments(call), 'json'),
    ...code.map(
      ([name, text]) =>
        `**${name}**\n\n${fenced(text, call.name === 'run_python' ? 'python' : '')}`
    )
  ].join('\n\n');
  const change = call.change ? el('div', 'jp-OrchToolCall-change') : null;
  append(
    node,
    summary(call, state),
    change && call.change
      ? section(`Change: ${call.change.title}`, change)
      : null,
    section('Arguments', args),
    decision(call),
    elicitations(call),
    result(call)
  );
  const ready = [renderUntrusted(args, source, options)];
  if (change && call.change) {
    const { diff, code, language } = call.change;
    const shown = diff ? fenced(diff, 'diff') : fenced(code, language);
    ready.push(renderUntrusted(change, shown, options));
  }
  return { node, ready: Promise.all(ready).then(() => undefined) };
}
