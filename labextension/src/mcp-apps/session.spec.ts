import { AppSession, type IAppHostSide, type IOpenedApp } from './session';
import type { RpcMessage } from './protocol';

const APP: IOpenedApp = {
  server: 'counter',
  tool: {
    name: 'show_counter',
    title: 'Counter',
    inputSchema: { type: 'object' }
  },
  arguments: { start: 3 },
  result: {
    content: [{ type: 'text', text: 'at 3' }],
    structuredContent: { count: 3 }
  }
};

class Host implements IAppHostSide {
  info = { name: 'jupyter-orch', version: '4.6.6' };
  capabilities = { openLinks: {}, serverTools: {} };
  heights: number[] = [];
  calls: [string, Record<string, unknown>][] = [];
  links: string[] = [];
  answer: unknown = { content: [], structuredContent: { count: 4 } };
  context() {
    return { theme: 'light', displayMode: 'inline' };
  }
  async callTool(name: string, args: Record<string, unknown>) {
    this.calls.push([name, args]);
    if (name === 'nope') {
      throw new Error('the tool is not offered to apps');
    }
    return this.answer;
  }
  async openLink(url: string) {
    this.links.push(url);
    return url.startsWith('https://');
  }
  resize(height: number) {
    this.heights.push(height);
  }
  log() {}
}

function started(): { session: AppSession; host: Host; posted: RpcMessage[] } {
  const host = new Host();
  const posted: RpcMessage[] = [];
  const session = new AppSession(APP, host, message => posted.push(message));
  return { session, host, posted };
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'ui/initialize',
  params: {
    appInfo: { name: 'a', version: '1' },
    appCapabilities: {},
    protocolVersion: '2025-11-21'
  }
};

describe('the host side of an app', () => {
  it('answers ui/initialize, then sends the input and the result once initialized', async () => {
    const { session, posted } = started();
    session.receive(INIT);
    await flush();
    expect(posted).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        result: {
          protocolVersion: '2025-11-21',
          hostInfo: { name: 'jupyter-orch', version: '4.6.6' },
          hostCapabilities: { openLinks: {}, serverTools: {} },
          hostContext: {
            toolInfo: {
              tool: {
                name: 'show_counter',
                inputSchema: { type: 'object' },
                title: 'Counter'
              }
            },
            theme: 'light',
            displayMode: 'inline'
          }
        }
      }
    ]);
    expect(session.state).toBe('starting');
    session.receive({
      jsonrpc: '2.0',
      method: 'ui/notifications/initialized',
      params: {}
    });
    expect(session.state).toBe('initialized');
    expect(posted.slice(1)).toEqual([
      {
        jsonrpc: '2.0',
        method: 'ui/notifications/tool-input',
        params: { arguments: { start: 3 } }
      },
      {
        jsonrpc: '2.0',
        method: 'ui/notifications/tool-result',
        params: APP.result
      }
    ]);
    // A second "initialized" sends nothing again: the input goes at most once.
    session.receive({ jsonrpc: '2.0', method: 'ui/notifications/initialized' });
    expect(posted).toHaveLength(3);
  });

  it('sends nothing of its own before the app is initialized', () => {
    const { session, posted } = started();
    session.contextChanged({ theme: 'dark' });
    void session.teardown('re-run');
    expect(posted).toEqual([]);
    expect(session.state).toBe('closed');
  });

  it('answers an unknown protocol version with its newest, and ignores what is not JSON-RPC', async () => {
    const { session, posted } = started();
    session.receive('hello');
    session.receive({ id: 2, method: 'ui/initialize' });
    session.receive({
      jsonrpc: '2.0',
      id: 3,
      method: 'ui/initialize',
      params: []
    });
    session.receive({ ...INIT, params: { protocolVersion: '1999-01-01' } });
    await flush();
    expect(posted).toHaveLength(1);
    expect((posted[0] as any).result.protocolVersion).toBe('2026-01-26');
  });

  it('resizes, calls tools through the host, and refuses what it does not offer', async () => {
    const { session, host, posted } = started();
    session.receive({
      jsonrpc: '2.0',
      method: 'ui/notifications/size-changed',
      params: { height: 321 }
    });
    session.receive({
      jsonrpc: '2.0',
      method: 'ui/notifications/size-changed',
      params: { height: 'x' }
    });
    expect(host.heights).toEqual([321]);
    session.receive({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'bump', arguments: { count: 3 } }
    });
    session.receive({
      jsonrpc: '2.0',
      id: 8,
      method: 'tools/call',
      params: { name: 'nope' }
    });
    session.receive({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { arguments: {} }
    });
    session.receive({
      jsonrpc: '2.0',
      id: 10,
      method: 'ui/message',
      params: {}
    });
    session.receive({ jsonrpc: '2.0', id: 11, method: 'ping' });
    await flush();
    expect(host.calls).toEqual([
      ['bump', { count: 3 }],
      ['nope', {}]
    ]);
    const byId: Record<string, RpcMessage> = {};
    posted.forEach(m => (byId[(m as any).id] = m));
    expect(byId[7]).toEqual({ jsonrpc: '2.0', id: 7, result: host.answer });
    expect(byId[8]).toEqual({
      jsonrpc: '2.0',
      id: 8,
      error: { code: -32000, message: 'the tool is not offered to apps' }
    });
    expect((byId[9] as any).error.code).toBe(-32602);
    expect(byId[10]).toEqual({
      jsonrpc: '2.0',
      id: 10,
      error: { code: -32601, message: 'this host does not offer ui/message' }
    });
    expect(byId[11]).toEqual({ jsonrpc: '2.0', id: 11, result: {} });
  });

  it('opens a link only when the host says yes', async () => {
    const { session, host, posted } = started();
    session.receive({
      jsonrpc: '2.0',
      id: 1,
      method: 'ui/open-link',
      params: { url: 'https://example.com/' }
    });
    session.receive({
      jsonrpc: '2.0',
      id: 2,
      method: 'ui/open-link',
      params: { url: 'javascript:1' }
    });
    await flush();
    expect(host.links).toEqual(['https://example.com/', 'javascript:1']);
    expect(posted).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: { isError: true } }
    ]);
  });

  it('asks the app to tear down, waits for its answer, then takes nothing more', async () => {
    const { session, posted } = started();
    session.receive({ jsonrpc: '2.0', method: 'ui/notifications/initialized' });
    const done = session.teardown('the cell was run again');
    const asked = posted[posted.length - 1] as any;
    expect(asked.method).toBe('ui/resource-teardown');
    expect(asked.params).toEqual({ reason: 'the cell was run again' });
    session.receive({
      jsonrpc: '2.0',
      id: 99,
      method: 'tools/call',
      params: { name: 'bump' }
    });
    session.receive({ jsonrpc: '2.0', id: asked.id, result: {} });
    await done;
    expect(session.state).toBe('closed');
    await flush();
    expect(posted.filter(m => (m as any).id === 99)).toEqual([]);
  });

  it('stops waiting for a teardown answer that never comes', async () => {
    jest.useFakeTimers();
    const { session } = started();
    session.receive({ jsonrpc: '2.0', method: 'ui/notifications/initialized' });
    const done = session.teardown('interrupted', 500);
    jest.advanceTimersByTime(500);
    await done;
    expect(session.state).toBe('closed');
    jest.useRealTimers();
  });
});
