import { ApprovalCard } from './card';
import {
  decidedWords,
  formatUsage,
  gauge,
  kernelLabel,
  modelChoices,
  readParams,
  sendsOnKey
} from './format';
import { threadWords } from './header';
import {
  readChatEvent,
  readHistory,
  readPendingEvent,
  readThreadList,
  readToolEvent,
  readTools
} from './protocol';

describe('the side panel, in words', () => {
  it('says which kernel it is on and whether jupyter-orch is there', () => {
    expect(kernelLabel('a.ipynb', 'Python 3', 'connected')).toBe(
      'a.ipynb · Python 3'
    );
    expect(kernelLabel('a.ipynb', 'Python 3', 'absent')).toContain(
      'run %load_ext jupyter_orch'
    );
    expect(kernelLabel('', '', 'none')).toContain(
      'Open a notebook or a console'
    );
  });

  it('sums up usage and how full the context window is', () => {
    expect(
      formatUsage({ promptTokens: 0, completionTokens: 0, cost: null })
    ).toBe('no tokens used yet');
    expect(
      formatUsage({ promptTokens: 1234, completionTokens: 56, cost: 0.0012 })
    ).toBe('1,234 prompt + 56 completion tokens · $0.0012');
    expect(gauge(250, 1000)).toEqual({
      fraction: 0.25,
      text: 'context: ~250 tokens of 1,000 (25%)'
    });
    expect(gauge(5000, 1000).fraction).toBe(1);
    expect(gauge(10, null)).toEqual({
      fraction: null,
      text: 'context: ~10 tokens (window unknown)'
    });
  });

  it('checks the parameters typed in the panel', () => {
    expect(readParams('', '')).toEqual({ params: {} });
    expect(readParams('0.5', '200')).toEqual({
      params: { temperature: 0.5, max_tokens: 200 }
    });
    expect(readParams('3', '')).toEqual({
      error: 'temperature must be a number from 0 to 2'
    });
    expect(readParams('', '1.5')).toEqual({
      error: 'max tokens must be a whole number of at least 1'
    });
  });

  it('offers the configured model first, then the recent and typed ones, once each', () => {
    expect(
      modelChoices('openai/a', ['openai/b', 'openai/a'], ['local/smollm2', ''])
    ).toEqual(['openai/a', 'openai/b', 'local/smollm2']);
  });

  it('sends on Enter and adds a newline on Shift+Enter', () => {
    expect(sendsOnKey({ key: 'Enter', shiftKey: false })).toBe(true);
    expect(sendsOnKey({ key: 'Enter', shiftKey: true })).toBe(false);
    expect(
      sendsOnKey({ key: 'Enter', shiftKey: false, isComposing: true })
    ).toBe(false);
    expect(sendsOnKey({ key: 'a', shiftKey: false })).toBe(false);
  });

  it('names threads with their turns and last model, and decisions made elsewhere', () => {
    const usage = { promptTokens: 0, completionTokens: 0, cost: null };
    expect(
      threadWords({
        name: 'default',
        turns: 1,
        lastModel: 'm',
        busy: '',
        usage
      })
    ).toBe('default · 1 turn · m');
    expect(decidedWords(true, 'user')).toBe('approved by you');
    expect(decidedWords(false, 'expired')).toBe('expired');
  });
});

describe("the kernel's answers, read defensively", () => {
  it('reads threads, history, tools and events, with safe defaults', () => {
    const list = readThreadList({
      current: 'x',
      threads: [{ name: 'x', turns: 2 }, 'junk']
    });
    expect(list.current).toBe('x');
    expect(list.threads[0]).toMatchObject({
      name: 'x',
      turns: 2,
      lastModel: ''
    });
    expect(list.threads[1].name).toBe('default');
    const history = readHistory({
      thread: 'x',
      records: [{ id: 't' }, 3],
      running: ['t', 1]
    });
    expect(history.records).toEqual([{ id: 't' }, {}]);
    expect(history.running).toEqual(['t']);
    expect(
      readTools({ tools: [{ name: 'add', policy: 'deny', locked: 'yes' }] })[0]
    ).toMatchObject({
      name: 'add',
      policy: 'deny',
      locked: false
    });
    expect(readChatEvent({ turn: 't', kind: 'start' })?.thread).toBe('default');
    expect(readChatEvent({ kind: 'start' })).toBeNull();
    expect(
      readPendingEvent({ call_id: 'c', tool: 'add', cell_id: 'cell-1' })
    ).toMatchObject({
      callId: 'c',
      name: 'add',
      cellId: 'cell-1',
      scopes: ['once', 'session', 'always']
    });
  });
});

describe('the approval card', () => {
  it('shows what will run as text, and sends the decision with its reason and scope', async () => {
    const sent: unknown[] = [];
    const call = readToolEvent({
      call_id: 'c1',
      name: '<b>add</b>',
      source_words: 'a notebook function',
      arguments: '{"a": "<img src=x onerror=alert(1)>"}',
      pending: true,
      scopes: ['once', 'session']
    });
    const card = new ApprovalCard(call, async (approved, reason, scope) => {
      sent.push([approved, reason, scope]);
    });
    expect(card.node.querySelector('img')).toBeNull();
    expect(card.node.querySelector('b')).toBeNull();
    expect(card.node.textContent).toContain('<b>add</b> (a notebook function)');
    const labels = Array.from(card.node.querySelectorAll('button')).map(
      b => b.textContent
    );
    expect(labels).toEqual(['Approve', 'Allow for this session', 'Reject']);
    const reason = card.node.querySelector('input')!;
    reason.value = 'use the median';
    (
      card.node.querySelector('.jp-OrchPanelCard-reject') as HTMLButtonElement
    ).click();
    await Promise.resolve();
    expect(sent).toEqual([[false, 'use the median', 'once']]);
    card.decided('rejected by you: use the median');
    expect(
      card.node
        .querySelector('.jp-OrchPanelCard-controls')!
        .hasAttribute('hidden')
    ).toBe(true);
    expect(card.node.textContent).toContain('rejected by you: use the median');
  });
});
