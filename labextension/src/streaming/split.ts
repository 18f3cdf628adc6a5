/**
 * Where streamed Markdown can be cut: the text before the cut will not change any more, so
 * it is rendered once; only the text after it is rendered again as it grows.
 */

/**
 * The length of the settled prefix of `text`: up to just after its last blank line outside
 * a fenced code block (0 when nothing has settled yet).
 */
export function settledLength(text: string): number {
  let inFence = false;
  let settled = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) {
      return settled;
    }
    const line = text.slice(start, end);
    const opener = line.replace(/^\s+/, '');
    if (opener.startsWith('```') || opener.startsWith('~~~')) {
      inFence = !inFence;
    } else if (!inFence && start > 0 && line.trim() === '') {
      settled = end + 1;
    }
    start = end + 1;
  }
}
