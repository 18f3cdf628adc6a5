/**
 * `notebook.read`: the notebook's cells as nbformat JSON, from the page's live model, with
 * every output bounded before it crosses the comm (pure: the panel glue is in `panel.ts`).
 */

import { joined } from '../common/nbformat';

/** An nbformat output or cell, as JSON. */
export type Json = Record<string, any>;

/** One cell as the page has it: its nbformat JSON and whether it runs (or waits to) now. */
export interface ICellState {
  json: Json;
  running: boolean;
}

/** What the kernel asks for (docs/bridge.md). */
export interface IReadParams {
  /** The cell (of the running chat) that names the notebook when a kernel has several. */
  cell_id?: string | null;
  /** `[start, stop)` of the cells, 0-based; all when absent. */
  cells?: [number, number] | null;
  outputs?: boolean;
  images?: boolean;
  max_output_chars?: number;
  max_image_chars?: number;
}

export interface IReadResult {
  path: string;
  dirty: boolean;
  /** The 0-based index of the first cell sent. */
  first: number;
  total: number;
  cells: Json[];
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const TEXT_TYPES = ['text/plain', 'text/markdown', 'text/latex'];

/** The first `limit` characters (or the last, with `tail`), saying how many were cut. */
export function cut(text: string, limit: number, tail = false): string {
  if (text.length <= limit) {
    return text;
  }
  const left = text.length - limit;
  const note = `… (${left.toLocaleString('en-US')} characters left out)`;
  return tail
    ? `${note}\n${text.slice(left)}`
    : `${text.slice(0, limit)}\n${note}`;
}

/** An output with its text bounded and its images kept only when asked and small enough. */
export function boundOutput(
  output: Json,
  images: boolean,
  maxChars: number,
  maxImage: number
): Json | null {
  const kind = output.output_type;
  if (kind === 'stream') {
    return { ...output, text: cut(joined(output.text), maxChars) };
  }
  if (kind === 'error') {
    const traceback = (output.traceback ?? []).map(String).join('\n');
    return { ...output, traceback: [cut(traceback, maxChars, true)] };
  }
  if (kind !== 'execute_result' && kind !== 'display_data') {
    return null;
  }
  const data: Json = {};
  const source = (output.data ?? {}) as Json;
  for (const mime of TEXT_TYPES) {
    if (mime in source) {
      data[mime] = cut(joined(source[mime]), maxChars);
    }
  }
  for (const mime of IMAGE_TYPES) {
    const image = joined(source[mime]).replace(/\s+/g, '');
    if (image && images && image.length <= maxImage) {
      data[mime] = image;
      break;
    }
    if (image) {
      data['text/plain'] =
        (data['text/plain'] ? data['text/plain'] + '\n' : '') +
        `(an image, ${mime}, not sent)`;
      break;
    }
  }
  if (Object.keys(data).length === 0 && 'text/html' in source) {
    data['text/plain'] = '(an HTML output)';
  }
  return { output_type: kind, data, execution_count: output.execution_count };
}

/** The cells the kernel asked for, bounded. */
export function readCells(
  cells: ICellState[],
  params: IReadParams,
  where: { path: string; dirty: boolean }
): IReadResult {
  const [start, stop] = params.cells ?? [0, cells.length];
  const first = Math.max(0, Math.min(start, cells.length));
  const last = Math.max(first, Math.min(stop, cells.length));
  const maxChars = params.max_output_chars ?? 20_000;
  const maxImage = params.max_image_chars ?? 2_800_000;
  const images = params.images !== false;
  const out = cells.slice(first, last).map(({ json, running }) => {
    const cell: Json = {
      id: json.id ?? '',
      cell_type: json.cell_type,
      source: joined(json.source),
      running
    };
    if (json.cell_type === 'code') {
      cell.execution_count = json.execution_count ?? null;
      cell.outputs =
        params.outputs === false
          ? []
          : ((json.outputs ?? []) as Json[])
              .map(o => boundOutput(o, images, maxChars, maxImage))
              .filter(o => o !== null);
    }
    return cell;
  });
  return { ...where, first, total: cells.length, cells: out };
}
