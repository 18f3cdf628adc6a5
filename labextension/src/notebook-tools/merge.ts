/**
 * A three-way merge of a cell's source (pure): the chat's change (base → target) applied
 * over what the user typed meanwhile (base → current), when the two touch different lines.
 * When they overlap, nothing is merged: the user's text is never overwritten.
 */

/** Characters `[start, end)` of a text replaced by `text`. */
export interface IHunk {
  start: number;
  end: number;
  text: string;
}

/** The largest texts (lines × lines) diffed line by line; larger ones become one hunk. */
const MAX_CELLS = 4_000_000;

function lines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function offsets(parts: string[]): number[] {
  const out = [0];
  for (const part of parts) {
    out.push(out[out.length - 1] + part.length);
  }
  return out;
}

/** The line-level changes from `base` to `other`, as character hunks over `base`. */
export function hunks(base: string, other: string): IHunk[] {
  if (base === other) {
    return [];
  }
  const a = lines(base);
  const b = lines(other);
  if (a.length * b.length > MAX_CELLS) {
    return [{ start: 0, end: base.length, text: other }];
  }
  // Longest common subsequence of lines, from the end (so the walk below goes forwards).
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () =>
    new Array(m + 1).fill(0)
  );
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] =
        a[i] === b[j]
          ? table[i + 1][j + 1] + 1
          : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const at = offsets(a);
  const out: IHunk[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const [i0, j0] = [i, j];
    while ((i < n || j < m) && !(i < n && j < m && a[i] === b[j])) {
      if (j < m && (i === n || table[i][j + 1] >= table[i + 1][j])) {
        j++;
      } else {
        i++;
      }
    }
    out.push({ start: at[i0], end: at[i], text: b.slice(j0, j).join('') });
  }
  return out;
}

function overlaps(x: IHunk, y: IHunk): boolean {
  if (x.start === x.end && y.start === y.end) {
    return x.start === y.start; // two insertions at one place: which goes first?
  }
  return x.start < y.end && y.start < x.end;
}

/** Apply hunks (over one text, in order, not overlapping) to it. */
export function applied(text: string, edits: IHunk[]): string {
  let out = text;
  for (const edit of [...edits].sort((x, y) => y.start - x.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

/**
 * The edits that bring `current` to `target`'s change of `base`, keeping what changed from
 * `base` to `current`; `null` when the two changes touch the same lines.
 */
export function merge(
  base: string,
  current: string,
  target: string
): IHunk[] | null {
  const theirs = hunks(base, target);
  if (current === base) {
    return theirs;
  }
  const mine = hunks(base, current);
  if (theirs.some(t => mine.some(m => overlaps(t, m)))) {
    return null;
  }
  return theirs.map(t => {
    const shift = mine
      .filter(m => m.end <= t.start)
      .reduce((sum, m) => sum + m.text.length - (m.end - m.start), 0);
    return { start: t.start + shift, end: t.end + shift, text: t.text };
  });
}
