import { Sanitizer } from '@jupyterlab/apputils';
import { EditorLanguageRegistry } from '@jupyterlab/codemirror';
import { createMarkdownParser } from '@jupyterlab/markedparser-extension';

import type { ITurnActions } from './actions';
import { toolTurn } from './fixtures';
import { forkCommand, formatCost, formatSeconds, segments } from './format';
import type { MarkdownOptions } from './markdown';
import { readTurn, type ITurn } from './record';
import { drawTurn } from './widget';

const languages = new EditorLanguageRegistry();
const options: MarkdownOptions = {
  sanitizer: new Sanitizer(),
  resolver: null,
  linkHandler: null,
  latexTypesetter: null,
  markdownParser: createMarkdownParser(languages)
};

function turnOf(data: Record<string, unknown>): ITurn {
  const turn = readTurn(data);
  if (typeof turn === 'string') {
    throw new Error(turn);
  }
  return turn;
}

async function render(
  data: Record<string, unknown>,
  actions: Partial<ITurnActions> = {}
): Promise<HTMLElement> {
  const host = document.createElement('div');
  document.body.appendChild(host);
  await drawTurn(host, turnOf(data), options, {
    copy: () => undefined,
    insertBelow: () => undefined,
    ...actions
  });
  return host;
}

describe('the turn renderer', () => {
  it('draws each tool call as a collapsible block with its decision and duration', async () => {
    const host = await render(toolTurn());
    const blocks = host.querySelectorAll('details.jp-OrchToolCall');
    expect(blocks).toHaveLength(1);
    const block = blocks[0] as HTMLDetailsElement;
    expect(block.open).toBe(false);
    const summary = block.querySelector('summary')!.textContent;
    expect(summary).toContain('add');
    expect(summary).toContain('from notebook');
    expect(summary).toContain('approved');
    expect(summary).toContain('1 ms');
    expect(block.textContent).toContain('approved by you');
    expect(block.textContent).toContain('this call only');
    expect(
      block.querySelector('.jp-OrchToolCall-arguments')!.textContent
    ).toContain('"a": 2');
    expect(block.querySelector('.jp-OrchToolCall-result')!.textContent).toBe(
      '5'
    );
    // The icons are JupyterLab's SVGs, not emoji.
    expect(block.querySelector('summary svg')).not.toBeNull();
  });

  it('puts the tool call between the text before it and the answer after it', async () => {
    const host = await render(toolTurn());
    const kinds = Array.from(host.children).map(
      child => child.className.split(' ')[0]
    );
    expect(kinds.slice(0, 3)).toEqual([
      'jp-OrchTurn-answer',
      'jp-OrchToolCall',
      'jp-OrchTurn-answer'
    ]);
  });

  it('shows a rejection with its reason and scope', async () => {
    const data = toolTurn();
    data.tool_calls[0].decision = {
      outcome: 'rejected',
      approved: false,
      by: 'user',
      reason: 'use the median',
      always: false,
      at: ''
    };
    data.tool_calls[0].result = {
      content: 'The user rejected this tool call: use the median',
      is_error: true
    };
    const block = (await render(data)).querySelector('.jp-OrchToolCall')!;
    expect(block.classList).toContain('jp-mod-rejected');
    expect(block.textContent).toContain('rejected by you');
    expect(block.textContent).toContain('use the median');
  });

  it('shows the change a notebook edit made, as its diff', async () => {
    const data = toolTurn();
    data.tool_calls[0].name = 'replace_cell';
    data.tool_calls[0].source = 'notebook-edit';
    data.tool_calls[0].change = {
      title: 'Replace the source of cell 2 (code, id c2)',
      diff: '--- before\n+++ after\n@@ -1 +1 @@\n-x = 1\n+x = <b>2</b>',
      code: null,
      language: 'python'
    };
    const block = (await render(data)).querySelector('.jp-OrchToolCall')!;
    expect(block.textContent).toContain(
      'Change: Replace the source of cell 2 (code, id c2)'
    );
    const change = block.querySelector('.jp-OrchToolCall-change')!;
    expect(change.querySelector('pre')!.textContent).toContain('+x = <b>2</b>');
    expect(change.querySelector('b')).toBeNull(); // the diff is text, never HTML
  });

  it('lists what a server asked the user during a call, as text', async () => {
    const data = toolTurn();
    data.tool_calls[0].elicitations = [
      {
        source: 'mcp:hotel',
        mode: 'form',
        message: 'Which <img src=x onerror=alert(1)> city?',
        fields: ['city'],
        url: null,
        action: 'accept',
        content: { city: 'Lyon' },
        reason: ''
      }
    ];
    const block = (await render(data)).querySelector('.jp-OrchToolCall')!;
    expect(block.textContent).toContain('Asked the user');
    expect(block.textContent).toContain(
      'Which <img src=x onerror=alert(1)> city? → accepted {"city":"Lyon"}'
    );
    expect(block.querySelector('img')).toBeNull();
  });

  it('writes a footer with model, parameters, tokens, cost and time', async () => {
    const footer = (await render(toolTurn())).querySelector(
      '.jp-OrchTurn-footer'
    )!;
    const text = footer.textContent!;
    expect(text).toContain('openai/test-model');
    expect(text).toContain('temperature=0.2');
    expect(text).not.toContain('api_base');
    expect(text).toContain('12 → 160 tokens');
    expect(text).toContain('$0.00042');
    expect(text).toContain('1.50 s');
  });

  it('keeps provenance in a hidden info view, with the fork action', async () => {
    const inserted: string[] = [];
    const host = await render(toolTurn(), {
      insertBelow: (_n, source) => inserted.push(source)
    });
    const info = host.querySelector('.jp-OrchTurn-info') as HTMLElement;
    expect(info.hidden).toBe(true);
    (host.querySelector('.jp-OrchTurn-infoToggle') as HTMLElement).click();
    expect(info.hidden).toBe(false);
    expect(info.textContent).toContain('default · turn 2 · In [3]');
    expect(info.textContent).toContain('h0123456789abcdef');
    expect(info.textContent).toContain('3.11.2');
    (info.querySelector('.jp-OrchTurn-fork') as HTMLElement).click();
    expect(inserted).toEqual(['%chat fork default-from-2 --turn 2']);
  });

  it('gives each code block of the answer Copy and Insert as cell below', async () => {
    const copied: string[] = [];
    const inserted: string[] = [];
    const host = await render(toolTurn(), {
      copy: text => copied.push(text),
      insertBelow: (_n, source) => inserted.push(source)
    });
    const block = host.querySelector('.jp-OrchTurn-answer .jp-OrchCode')!;
    (block.querySelector('.jp-OrchCode-copy') as HTMLElement).click();
    (block.querySelector('.jp-OrchCode-insert') as HTMLElement).click();
    expect(copied).toEqual(['print(2 + 3)']);
    expect(inserted).toEqual(['print(2 + 3)']);
    // Arguments are code too, but they get no insert button.
    expect(
      host.querySelector('.jp-OrchToolCall .jp-OrchCode-insert')
    ).toBeNull();
  });
});

describe('untrusted content stays inert', () => {
  const evil =
    '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

  it('renders raw HTML and scripts in the answer without running them', async () => {
    const host = await render(
      toolTurn({
        rounds: [],
        answer: `Hi ${evil} [click](javascript:window.__pwned=3)`
      })
    );
    expect(host.querySelector('script')).toBeNull();
    expect(host.querySelector('[onerror]')).toBeNull();
    const links = Array.from(host.querySelectorAll('a'));
    expect(
      links.every(a => !/javascript:/i.test(a.getAttribute('href') ?? ''))
    ).toBe(true);
    expect((window as any).__pwned).toBeUndefined();
  });

  it('shows tool names, results, reasons and servers as text', async () => {
    const data = toolTurn({ thread: '<b>x</b>; rm -rf /' });
    const call = data.tool_calls[0];
    call.name = evil;
    call.server = evil;
    call.result = { content: evil, is_error: true };
    call.decision.reason = evil;
    call.arguments = { code: `${evil}\nsecond line` };
    const host = await render(data);
    expect(host.querySelector('script')).toBeNull();
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector('.jp-OrchToolCall-name')!.textContent).toBe(evil);
    expect(host.querySelector('.jp-OrchToolCall-result')!.textContent).toBe(
      evil
    );
    expect(forkCommand(turnOf(data))).toBe(
      '%chat fork b-x-b-rm-rf-from-2 --turn 2'
    );
  });

  it('refuses a record of a newer schema with one line', () => {
    expect(readTurn(toolTurn({ version: 99 }))).toBe(
      'turn record of schema 99: this extension reads up to 1'
    );
    expect(readTurn({ kind: 'other' })).toBe('not a jupyter-orch turn record');
  });
});

describe('the pure helpers', () => {
  it('format durations and costs', () => {
    expect(formatSeconds(0.0004)).toBe('1 ms');
    expect(formatSeconds(0.42)).toBe('420 ms');
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(formatCost(null)).toBe('');
    expect(formatCost(1.234)).toBe('$1.23');
  });

  it('fall back to the whole answer when the rounds carry no text', () => {
    const turn = turnOf(
      toolTurn({ rounds: [], tool_calls: [], answer: 'Hello' })
    );
    expect(segments(turn)).toEqual([{ text: 'Hello', calls: [] }]);
  });
});
