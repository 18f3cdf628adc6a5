/**
 * `notebook.edit`: an approved edit applied through the notebook's model (its shared model),
 * as the user's own edits are: JupyterLab's undo, collaborators, the user's cursor and the
 * saved document stay consistent. Each applied edit leaves how to undo it in the journal.
 */
import type { ICellModel, ICodeCellModel } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';

import { Journal, type Entry } from './journal';
import { merge, type IHunk } from './merge';
import { cellModels, indexOfId } from './panel';
import type { Json } from './read';

export const CHANGED_MEANWHILE =
  'the cell changed while you were deciding: your text is kept and the change was not applied';

/** What the kernel sends (docs/bridge.md). */
export interface IEditParams {
  op: 'insert' | 'replace' | 'delete' | 'outputs';
  turn?: string;
  id?: string;
  index?: number;
  after?: string | null;
  cell_type?: 'code' | 'markdown';
  source?: string;
  old?: string;
  outputs?: Json[];
}

const journals = new WeakMap<object, Journal>();

/** The journal of a notebook's model (one per open document). */
export function journalOf(panel: NotebookPanel): Journal {
  const model = panel.content.model as object;
  let journal = journals.get(model);
  if (!journal) {
    journal = new Journal();
    journals.set(model, journal);
  }
  return journal;
}

function found(
  panel: NotebookPanel,
  id: string | undefined
): [number, ICellModel] {
  const index = id ? indexOfId(panel, id) : -1;
  if (index < 0) {
    throw new Error(
      `cell ${id ?? '?'} is no longer in the notebook: nothing was changed`
    );
  }
  return [index, cellModels(panel)[index]];
}

function edited(cell: ICellModel, edits: IHunk[]): void {
  const shared = cell.sharedModel;
  shared.transact(() => {
    for (const edit of [...edits].sort((x, y) => y.start - x.start)) {
      shared.updateSource(edit.start, edit.end, edit.text);
    }
  });
}

/** Apply one edit; return the page's answer. Throws a one-line Error when it cannot. */
export function applyEdit(panel: NotebookPanel, params: IEditParams): Json {
  const journal = journalOf(panel);
  const turn = params.turn ?? '';
  const [answer, entry] = run(panel, params);
  journal.add(turn, entry);
  return { applied: true, ...answer };
}

function run(panel: NotebookPanel, p: IEditParams): [Json, Entry] {
  const notebook = panel.content.model!.sharedModel;
  switch (p.op) {
    case 'insert': {
      const total = cellModels(panel).length;
      const after = p.after ? indexOfId(panel, p.after) : -1;
      const at =
        after >= 0 ? after + 1 : Math.max(0, Math.min(p.index ?? total, total));
      const id = p.id || undefined;
      const cell = notebook.insertCell(at, {
        cell_type: p.cell_type === 'markdown' ? 'markdown' : 'code',
        source: p.source ?? '',
        metadata: {},
        ...(id ? { id } : {})
      } as any);
      return [
        { id: cell.id, index: at },
        { kind: 'inserted', id: cell.id }
      ];
    }
    case 'replace': {
      const [, cell] = found(panel, p.id);
      const current = cell.sharedModel.getSource();
      const edits = merge(p.old ?? current, current, p.source ?? '');
      if (edits === null) {
        throw new Error(CHANGED_MEANWHILE);
      }
      edited(cell, edits);
      const after = cell.sharedModel.getSource();
      const entry: Entry = {
        kind: 'replaced',
        id: cell.id,
        before: current,
        after
      };
      return [{ merged: current !== p.old }, entry];
    }
    case 'delete': {
      const [index, cell] = found(panel, p.id);
      if (p.old !== undefined && cell.sharedModel.getSource() !== p.old) {
        throw new Error(CHANGED_MEANWHILE.replace('applied', 'deleted'));
      }
      const json = cell.toJSON() as Json;
      notebook.deleteCell(index);
      return [{}, { kind: 'deleted', index, cell: json }];
    }
    case 'outputs': {
      const [, cell] = found(panel, p.id);
      if (cell.type !== 'code') {
        throw new Error(`cell ${p.id} is not a code cell`);
      }
      const code = cell as ICodeCellModel;
      const entry: Entry = {
        kind: 'outputs',
        id: cell.id,
        outputs: code.outputs.toJSON() as Json[],
        executionCount: code.executionCount
      };
      setOutputs(code, p.outputs ?? [], null);
      return [{}, entry];
    }
  }
  throw new Error(`unknown edit '${String((p as any).op)}'`);
}

function setOutputs(
  cell: ICodeCellModel,
  outputs: Json[],
  count: number | null
): void {
  cell.outputs.clear();
  for (const output of outputs) {
    cell.outputs.add(output as any);
  }
  cell.executionCount = count;
}

/** What an undo did: how many edits it reverted, and which it had to leave. */
export interface IUndone {
  undone: number;
  kept: string[];
}

/** Revert the edits of the latest turn that changed the notebook, newest first. */
export function undoLatest(panel: NotebookPanel): IUndone {
  const journal = journalOf(panel);
  const turn = journal.latest;
  const done: IUndone = { undone: 0, kept: [] };
  if (turn === null) {
    return done;
  }
  // One command reverts them all; each revert is its own change of the model, so the next
  // one finds the cells where the previous one left them.
  for (const entry of journal.take(turn)) {
    if (revert(panel, entry)) {
      done.undone++;
    } else {
      done.kept.push(
        entry.kind === 'deleted' ? String(entry.cell.id) : entry.id
      );
    }
  }
  return done;
}

function revert(panel: NotebookPanel, entry: Entry): boolean {
  const notebook = panel.content.model!.sharedModel;
  if (entry.kind === 'deleted') {
    const at = Math.min(entry.index, cellModels(panel).length);
    notebook.insertCell(at, entry.cell as any);
    return true;
  }
  const index = indexOfId(panel, entry.id);
  if (index < 0) {
    return entry.kind === 'inserted'; // already gone: nothing to undo
  }
  const cell = cellModels(panel)[index];
  if (entry.kind === 'inserted') {
    notebook.deleteCell(index);
    return true;
  }
  if (entry.kind === 'outputs') {
    setOutputs(cell as ICodeCellModel, entry.outputs, entry.executionCount);
    return true;
  }
  const edits = merge(entry.after, cell.sharedModel.getSource(), entry.before);
  if (edits === null) {
    return false; // the user changed the same lines since: their text stays
  }
  edited(cell, edits);
  return true;
}
