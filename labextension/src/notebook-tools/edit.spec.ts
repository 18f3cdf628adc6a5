import { NotebookModel, type NotebookPanel } from '@jupyterlab/notebook';

import { applyEdit, CHANGED_MEANWHILE, undoLatest } from './edit';

function notebook(...sources: string[]): {
  panel: NotebookPanel;
  model: NotebookModel;
} {
  const model = new NotebookModel();
  sources.forEach((source, i) =>
    model.sharedModel.insertCell(i, {
      cell_type: 'code',
      source,
      id: `c${i}`,
      metadata: {}
    } as any)
  );
  return { panel: { content: { model } } as unknown as NotebookPanel, model };
}

function sources(model: NotebookModel): string[] {
  return model.sharedModel.cells.map(cell => cell.getSource());
}

describe('edits applied through the notebook model', () => {
  it('inserts after the cell it was planned after, even when cells moved', () => {
    const { panel, model } = notebook('a', 'b');
    model.sharedModel.insertCell(0, {
      cell_type: 'code',
      source: 'new first',
      metadata: {}
    } as any);
    const answer = applyEdit(panel, {
      op: 'insert',
      turn: 't1',
      after: 'c0',
      index: 1,
      source: '# x',
      cell_type: 'markdown',
      id: 'n1'
    });
    expect(answer).toEqual({ applied: true, id: 'n1', index: 2 });
    expect(sources(model)).toEqual(['new first', 'a', '# x', 'b']);
    expect(model.sharedModel.cells[2].cell_type).toBe('markdown');
  });

  it('replaces a source, merging with what the user typed on other lines', () => {
    const { panel, model } = notebook('x = 1\ny = 2\n');
    model.sharedModel.cells[0].updateSource(12, 12, 'z = 3\n'); // the user types meanwhile
    const answer = applyEdit(panel, {
      op: 'replace',
      turn: 't1',
      id: 'c0',
      old: 'x = 1\ny = 2\n',
      source: 'x = 10\ny = 2\n'
    });
    expect(answer).toEqual({ applied: true, merged: true });
    expect(sources(model)).toEqual(['x = 10\ny = 2\nz = 3\n']);
  });

  it('refuses a replace over the lines the user changed, and a delete of a changed cell', () => {
    const { panel, model } = notebook('x = 1\n');
    model.sharedModel.cells[0].setSource('x = 2\n');
    expect(() =>
      applyEdit(panel, {
        op: 'replace',
        id: 'c0',
        old: 'x = 1\n',
        source: 'x = 9\n'
      })
    ).toThrow(CHANGED_MEANWHILE);
    expect(() =>
      applyEdit(panel, { op: 'delete', id: 'c0', old: 'x = 1\n' })
    ).toThrow(/not deleted/);
    expect(sources(model)).toEqual(['x = 2\n']);
    expect(() => applyEdit(panel, { op: 'delete', id: 'gone' })).toThrow(
      /no longer in the notebook/
    );
  });

  it('undoes the last turn as one step, leaving earlier turns', () => {
    const { panel, model } = notebook('a = 1', 'b = 2', 'c = 3');
    applyEdit(panel, {
      op: 'replace',
      turn: 't1',
      id: 'c0',
      old: 'a = 1',
      source: 'a = 100'
    });
    applyEdit(panel, {
      op: 'insert',
      turn: 't2',
      index: 3,
      source: 'd = 4',
      id: 'n'
    });
    applyEdit(panel, { op: 'delete', turn: 't2', id: 'c1', old: 'b = 2' });
    applyEdit(panel, {
      op: 'replace',
      turn: 't2',
      id: 'c2',
      old: 'c = 3',
      source: 'c = 30'
    });
    applyEdit(panel, {
      op: 'outputs',
      turn: 't2',
      id: 'c2',
      outputs: [{ output_type: 'stream', name: 'stdout', text: '30\n' }]
    });
    expect(sources(model)).toEqual(['a = 100', 'c = 30', 'd = 4']);
    expect(undoLatest(panel)).toEqual({ undone: 4, kept: [] });
    expect(sources(model)).toEqual(['a = 100', 'b = 2', 'c = 3']);
    expect(model.sharedModel.cells.map(c => c.id)).toEqual(['c0', 'c1', 'c2']);
    expect((model.cells.get(2) as any).outputs.length).toBe(0);
    expect(undoLatest(panel)).toEqual({ undone: 1, kept: [] });
    expect(sources(model)).toEqual(['a = 1', 'b = 2', 'c = 3']);
    expect(undoLatest(panel)).toEqual({ undone: 0, kept: [] });
  });

  it('keeps a cell the user changed on the same lines after the edit', () => {
    const { panel, model } = notebook('v = 1\n');
    applyEdit(panel, {
      op: 'replace',
      turn: 't',
      id: 'c0',
      old: 'v = 1\n',
      source: 'v = 2\n'
    });
    model.sharedModel.cells[0].setSource('v = 3\n');
    expect(undoLatest(panel)).toEqual({ undone: 0, kept: ['c0'] });
    expect(sources(model)).toEqual(['v = 3\n']);
  });
});
