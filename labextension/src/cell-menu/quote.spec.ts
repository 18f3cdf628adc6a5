import { askAboutCell, explainError, TRACEBACK_CHARS } from './quote';

const ERROR = {
  output_type: 'error',
  ename: 'KeyError',
  evalue: "'weight'",
  traceback: ['\x1b[0;31mKeyError\x1b[0m Traceback', "KeyError: 'weight'"]
};

describe('the quoted chat cells', () => {
  it('ask about a cell with its source and output, braces doubled', () => {
    const cell = askAboutCell(
      'd = {"a": 1}\nprint(d)',
      [{ output_type: 'stream', name: 'stdout', text: ["{'a': 1}\n"] }],
      4
    );
    expect(cell).toBe(
      '%%chat\nAbout this cell (In [4]):\n\n```python\nd = {{"a": 1}}\nprint(d)\n```\n\n' +
        "Its output:\n\n```\n{{'a': 1}}\n\n```\n\n"
    );
  });

  it('explain an error with the traceback, colour codes removed', () => {
    const cell = explainError("df['weight']", [ERROR], 7);
    expect(cell.split('\n')[0]).toBe('%%chat');
    expect(cell).toContain('the cell (In [7])');
    expect(cell).toContain("KeyError Traceback\nKeyError: 'weight'");
    expect(cell).not.toContain('\x1b');
  });

  it('explain the error of the cell that ran last with {Err}, left for the kernel', () => {
    const cell = explainError("df['weight']", [ERROR], 7, true);
    expect(cell).toBe(
      '%%chat\nExplain this error from the cell (In [7]) and how to fix it.\n\n' +
        "```python\ndf['weight']\n```\n\n{Err}\n"
    );
  });

  it('keep the end of a long traceback, and fence code that holds backticks', () => {
    const long = { ...ERROR, traceback: ['x'.repeat(10_000), 'LAST LINE'] };
    const cell = explainError('s = """```"""', [long], null);
    expect(cell).toContain('LAST LINE');
    expect(cell).toContain('characters left out');
    expect(cell.length).toBeLessThan(TRACEBACK_CHARS + 500);
    expect(cell).toContain('````python\ns = """```"""\n````');
  });
});
