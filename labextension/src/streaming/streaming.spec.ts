import { Sanitizer } from '@jupyterlab/apputils';
import { EditorLanguageRegistry } from '@jupyterlab/codemirror';
import { createMarkdownParser } from '@jupyterlab/markedparser-extension';

import type { MarkdownOptions } from '../turn-renderer/markdown';
import { StreamedMarkdown } from './markdown';
import { settledLength } from './split';
import { StreamStore } from './store';

const options: MarkdownOptions = {
  sanitizer: new Sanitizer(),
  resolver: null,
  linkHandler: null,
  latexTypesetter: null,
  markdownParser: createMarkdownParser(new EditorLanguageRegistry())
};

describe('where streamed Markdown settles', () => {
  it('cuts after the last blank line, never inside a code fence', () => {
    expect(settledLength('one paragraph still growing')).toBe(0);
    expect(settledLength('first\n\nsecond')).toBe('first\n\n'.length);
    const fenced = 'intro\n\n```python\nx = 1\n\ny = 2\n';
    expect(settledLength(fenced)).toBe('intro\n\n'.length);
    const closed = fenced + '```\n\nafter';
    expect(settledLength(closed)).toBe(closed.length - 'after'.length);
  });
});

describe('the stream store', () => {
  it('appends only new text per event and tells its subscribers', () => {
    const store = new StreamStore();
    const seen: string[] = [];
    store.feed({ id: 's1', text: 'Hel' });
    const stop = store.subscribe('s1', entry => seen.push(entry.text));
    store.feed({ id: 's1', text: 'lo' });
    store.feed({ id: 's2', text: 'other' });
    store.feed({ id: 's1', end: true });
    stop();
    store.feed({ id: 's1', text: '!' });
    expect(seen).toEqual(['Hel', 'Hello', 'Hello']);
    expect(store.get('s1')).toEqual({ text: 'Hello!', ended: true });
    store.feed({ text: 'no id' });
    store.feed(null);
    expect(store.size).toBe(2);
  });

  it('keeps a bounded number of streams nobody shows', () => {
    const store = new StreamStore(3);
    const stop = store.subscribe('kept', () => undefined);
    store.feed({ id: 'kept', text: 'x' });
    for (let i = 0; i < 10; i++) {
      store.feed({ id: `s${i}`, text: 'y' });
    }
    expect(store.size).toBe(3);
    expect(store.get('kept')?.text).toBe('x');
    stop();
  });
});

describe('streamed Markdown', () => {
  it('renders settled blocks once and the growing tail again, all sanitized', async () => {
    const host = document.createElement('div');
    const view = new StreamedMarkdown(host, options);
    view.append('# Title\n\nSome **bold');
    await view.flush();
    view.append('** text <img src=x onerror="alert(1)">\n\nand more');
    await view.flush();
    expect(host.querySelectorAll('.jp-OrchStreamed-block')).toHaveLength(2);
    expect(host.querySelector('h1')?.textContent).toContain('Title');
    expect(host.querySelector('strong')?.textContent).toBe('bold');
    expect(host.innerHTML).not.toContain('onerror');
    expect(host.textContent).toContain('and more');
  });

  it('shows plain text as it is', async () => {
    const host = document.createElement('div');
    const view = new StreamedMarkdown(host, options, 'text');
    view.set('**not bold** <b>x</b>');
    await view.flush();
    expect(host.querySelector('strong')).toBeNull();
    expect(host.textContent).toBe('**not bold** <b>x</b>');
  });
});
