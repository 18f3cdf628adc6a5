/**
 * The `%%chat` cells that "Ask about this cell" and "Explain this error" insert (pure).
 * Quoted text is bounded, fenced so it cannot close its own fence, and its braces are doubled
 * so the prompt's `{name}` expansion leaves them alone.
 */

import { joined } from '../common/nbformat';

export const SOURCE_CHARS = 4000;
export const OUTPUT_CHARS = 2000;
export const TRACEBACK_CHARS = 3000;

/** An output of a cell, as nbformat JSON. */
export type Output = Record<string, unknown>;

/** Remove terminal colour codes (tracebacks carry them). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** The first `limit` characters (or the last, with `tail`), marking what was left out. */
export function bounded(text: string, limit: number, tail = false): string {
  if (text.length <= limit) {
    return text;
  }
  const cut = text.length - limit;
  return tail
    ? `… (${cut.toLocaleString('en-US')} characters left out)\n${text.slice(cut)}`
    : `${text.slice(0, limit)}\n… (${cut.toLocaleString('en-US')} characters left out)`;
}

/** A fenced block whose fence is longer than any backtick run inside. */
export function fencedBlock(text: string, language = ''): string {
  const longest = (text.match(/`+/g) ?? []).reduce(
    (n, run) => Math.max(n, run.length),
    0
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Double the braces, so `%%chat` does not read them as `{variable}` references. */
export function escapeBraces(text: string): string {
  return text.replace(/[{}]/g, brace => brace + brace);
}

/** The text of a cell's outputs (streams, text/plain results; not errors). */
export function outputText(outputs: Output[]): string {
  return outputs
    .map(output => {
      if (output.output_type === 'stream') {
        return joined(output.text);
      }
      const data = (output.data ?? {}) as Record<string, unknown>;
      return 'text/plain' in data ? joined(data['text/plain']) : '';
    })
    .filter(Boolean)
    .join('\n');
}

/** The cell's error output as "Name: value" and the traceback, or null. */
export function errorText(outputs: Output[]): string | null {
  const error = outputs.find(output => output.output_type === 'error');
  if (!error) {
    return null;
  }
  const traceback = Array.isArray(error.traceback)
    ? error.traceback.join('\n')
    : '';
  const head = `${String(error.ename ?? 'Error')}: ${String(error.evalue ?? '')}`;
  return stripAnsi(traceback.trim() ? traceback : head);
}

function where(count: number | null): string {
  return count ? ` (In [${count}])` : '';
}

/** The `%%chat` cell of "Ask about this cell". */
export function askAboutCell(
  source: string,
  outputs: Output[],
  count: number | null
): string {
  const parts = [
    '%%chat',
    `About this cell${where(count)}:`,
    '',
    fencedBlock(escapeBraces(bounded(source, SOURCE_CHARS)), 'python')
  ];
  const out = outputText(outputs);
  if (out.trim()) {
    parts.push(
      '',
      'Its output:',
      '',
      fencedBlock(escapeBraces(bounded(out, OUTPUT_CHARS)))
    );
  }
  return parts.join('\n') + '\n\n';
}

/**
 * The `%%chat` cell of "Explain this error". When the cell is the one that ran last, the
 * kernel still holds its error: `{Err}` quotes it, with its traceback trimmed to the cells'
 * frames. Otherwise (an older cell, a kernel restarted since) the page quotes what it shows.
 */
export function explainError(
  source: string,
  outputs: Output[],
  count: number | null,
  latest = false
): string {
  const head = [
    '%%chat',
    `Explain this error from the cell${where(count)} and how to fix it.`,
    '',
    fencedBlock(escapeBraces(bounded(source, SOURCE_CHARS)), 'python'),
    ''
  ];
  if (latest) {
    return [...head, '{Err}', ''].join('\n');
  }
  const error = errorText(outputs) ?? '';
  return [
    ...head,
    'The error:',
    '',
    fencedBlock(escapeBraces(bounded(error, TRACEBACK_CHARS, true))),
    ''
  ].join('\n');
}
