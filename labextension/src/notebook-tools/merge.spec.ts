import { applied, hunks, merge } from './merge';

describe("merging the chat's change with the user's typing", () => {
  const base = 'import pandas as pd\ndf = pd.read_csv("a.csv")\ndf["weight"]\n';

  it('finds the changed lines only', () => {
    const target = base.replace('df["weight"]', 'df["mass"]');
    expect(hunks(base, target)).toEqual([
      { start: 46, end: 59, text: 'df["mass"]\n' }
    ]);
    expect(applied(base, hunks(base, target))).toBe(target);
    expect(hunks(base, base)).toEqual([]);
    expect(applied('', hunks('', 'x = 1'))).toBe('x = 1');
  });

  it('applies the change over text the user typed on other lines', () => {
    const target = base.replace('df["weight"]', 'df["mass"]');
    const current = '# my note\n' + base + 'print(df)\n';
    const edits = merge(base, current, target);
    expect(edits).not.toBeNull();
    expect(applied(current, edits!)).toBe(
      '# my note\n' + target + 'print(df)\n'
    );
  });

  it('refuses when the user changed the same line', () => {
    const target = base.replace('df["weight"]', 'df["mass"]');
    const current = base.replace('df["weight"]', 'df["height"]');
    expect(merge(base, current, target)).toBeNull();
  });

  it('keeps an insertion of the user just before the changed line', () => {
    const target = base.replace('df["weight"]', 'df["mass"]');
    const current = base.replace('df["weight"]', 'x = 1\ndf["weight"]');
    const edits = merge(base, current, target);
    expect(applied(current, edits!)).toBe(
      base.replace('df["weight"]', 'x = 1\ndf["mass"]')
    );
  });

  it('changes nothing of the user when nothing was typed', () => {
    const target = 'y = 2\n';
    expect(applied(base, merge(base, base, target)!)).toBe(target);
  });
});
