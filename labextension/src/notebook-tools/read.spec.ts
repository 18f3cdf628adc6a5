import { boundOutput, readCells } from './read';

const PNG = 'iVBORw0KGgo' + 'A'.repeat(100);

describe('notebook.read', () => {
  it('sends the asked cells with sources joined and their run state', () => {
    const cells = [
      {
        json: { id: 'a', cell_type: 'markdown', source: ['# T', 'itle'] },
        running: false
      },
      {
        json: {
          id: 'b',
          cell_type: 'code',
          source: 'x = 1',
          execution_count: 3,
          outputs: []
        },
        running: true
      },
      {
        json: { id: 'c', cell_type: 'code', source: 'y', outputs: [] },
        running: false
      }
    ];
    const read = readCells(
      cells,
      { cells: [1, 5] },
      { path: 'n.ipynb', dirty: false }
    );
    expect(read).toEqual({
      path: 'n.ipynb',
      dirty: false,
      first: 1,
      total: 3,
      cells: [
        {
          id: 'b',
          cell_type: 'code',
          source: 'x = 1',
          running: true,
          execution_count: 3,
          outputs: []
        },
        {
          id: 'c',
          cell_type: 'code',
          source: 'y',
          running: false,
          execution_count: null,
          outputs: []
        }
      ]
    });
  });

  it('bounds text, keeps the end of a traceback, and drops images when asked to', () => {
    const stream = {
      output_type: 'stream',
      name: 'stdout',
      text: ['a'.repeat(50)]
    };
    expect(boundOutput(stream, true, 10, 1000)?.text).toBe(
      'aaaaaaaaaa\n… (40 characters left out)'
    );
    const error = {
      output_type: 'error',
      ename: 'E',
      evalue: 'v',
      traceback: ['x'.repeat(30), 'END']
    };
    expect(boundOutput(error, true, 10, 1000)?.traceback[0]).toMatch(
      /left out\)\n.*END$/s
    );
    const image = {
      output_type: 'display_data',
      data: {
        'image/png': PNG,
        'text/plain': '<Figure>',
        'text/html': '<b>x</b>'
      }
    };
    expect(boundOutput(image, true, 100, 1000)?.data).toEqual({
      'text/plain': '<Figure>',
      'image/png': PNG
    });
    expect(boundOutput(image, false, 100, 1000)?.data).toEqual({
      'text/plain': '<Figure>\n(an image, image/png, not sent)'
    });
    expect(
      boundOutput(image, true, 100, 10)?.data['image/png']
    ).toBeUndefined();
  });

  it('says an HTML-only output is HTML, and skips widget states', () => {
    const html = {
      output_type: 'execute_result',
      data: { 'text/html': '<table/>' }
    };
    expect(boundOutput(html, true, 100, 100)?.data).toEqual({
      'text/plain': '(an HTML output)'
    });
    expect(
      boundOutput({ output_type: 'update_display_data' }, true, 1, 1)
    ).toBeNull();
  });
});
