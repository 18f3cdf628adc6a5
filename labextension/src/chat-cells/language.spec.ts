import { ensureSyntaxTree, LanguageSupport } from '@codemirror/language';
import { pythonLanguage } from '@codemirror/lang-python';
import { EditorState } from '@codemirror/state';
import { NodeProp } from '@lezer/common';

import { chatAware } from './language';

const support = chatAware(new LanguageSupport(pythonLanguage));

/** The node names of the Markdown tree mounted over the cell's body (none: not mounted). */
function markdownNodes(doc: string): { names: string[]; from: number } | null {
  const state = EditorState.create({ doc, extensions: [support] });
  const tree = ensureSyntaxTree(state, doc.length, 5000)!;
  const mounted = tree.prop(NodeProp.mounted);
  if (!mounted) {
    return null;
  }
  const names: string[] = [];
  mounted.tree.iterate({ enter: node => void names.push(node.name) });
  return { names, from: mounted.overlay?.[0].from ?? -1 };
}

describe('chat cells', () => {
  it('parse the body of a %%chat cell as Markdown, after the magic line', () => {
    const doc = '%%chat -m x\n# Plan\nfor each **row** in `df`';
    const md = markdownNodes(doc)!;
    expect(md.names).toEqual(
      expect.arrayContaining([
        'Document',
        'ATXHeading1',
        'StrongEmphasis',
        'InlineCode'
      ])
    );
    expect(md.from).toBe(doc.indexOf('#'));
  });

  it('leave other cells as Python', () => {
    expect(markdownNodes('for x in y:\n    pass\n# Plan')).toBeNull();
    expect(markdownNodes('%%chatty\n# x')).toBeNull();
    expect(markdownNodes('%%chat')).toBeNull();
  });
});
