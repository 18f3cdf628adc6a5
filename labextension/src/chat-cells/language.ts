/**
 * `%%chat` cells read as Markdown below their magic line: the Python language, wrapped so a
 * document starting with `%%chat` mounts the Markdown parser over everything after line 1.
 */
import { LanguageSupport, LRLanguage } from '@codemirror/language';
import { parseMixed, type Input } from '@lezer/common';
import { GFM, parser as markdownParser } from '@lezer/markdown';

const MAGIC = /^%%chat(\s|$)/;
const markdown = markdownParser.configure(GFM);

/** Where the body of a `%%chat` document starts (after its first line), or -1. */
export function chatBodyStart(input: Input): number {
  if (!MAGIC.test(input.read(0, Math.min(input.length, 8)))) {
    return -1;
  }
  for (let from = 0; from < input.length; from += 256) {
    const at = input
      .read(from, Math.min(input.length, from + 256))
      .indexOf('\n');
    if (at >= 0) {
      return from + at + 1;
    }
  }
  return -1;
}

/** The same language, with `%%chat` cells' bodies parsed as Markdown. */
export function chatAware(support: LanguageSupport): LanguageSupport {
  const language = support.language;
  if (!(language instanceof LRLanguage)) {
    return support;
  }
  const wrapped = language.configure({
    wrap: parseMixed((node, input) => {
      if (!node.type.isTop) {
        return null;
      }
      const start = chatBodyStart(input);
      return start < 0 || start >= input.length
        ? null
        : { parser: markdown, overlay: [{ from: start, to: input.length }] };
    })
  });
  return new LanguageSupport(wrapped, support.support);
}
