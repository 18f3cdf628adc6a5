/**
 * The kernel's side panel methods, typed: one small wrapper over a bridge connection.
 */
import type { IBridgeConnection } from '../bridge/tokens';
import {
  readHistory,
  readModels,
  readServer,
  readServers,
  readThreadList,
  readTools,
  readUsageReport,
  type IHistory,
  type IServerEntry,
  type IThreadList,
  type IToolEntry,
  type IUsageReport
} from './protocol';

/** Turns that start MCP servers or mount configured ones may take a while. */
const SLOW_MS = 90_000;

export interface ISendOptions {
  thread: string;
  text: string;
  model: string;
  params: Record<string, number>;
}

export class PanelClient {
  constructor(readonly connection: IBridgeConnection) {}

  async threads(): Promise<IThreadList> {
    return readThreadList(await this.connection.request('threads.list'));
  }

  async history(thread: string): Promise<IHistory> {
    return readHistory(
      await this.connection.request('thread.history', { thread })
    );
  }

  async newThread(name = ''): Promise<string> {
    const result = await this.connection.request('thread.new', { name });
    return String((result as { thread?: unknown })?.thread ?? name);
  }

  async fork(thread: string, turn: string): Promise<string> {
    const result = await this.connection.request('thread.fork', {
      thread,
      turn
    });
    return String((result as { thread?: unknown })?.thread ?? '');
  }

  async clear(thread: string): Promise<void> {
    await this.connection.request('thread.clear', { thread });
  }

  async send(options: ISendOptions): Promise<string> {
    const result = await this.connection.request(
      'chat.send',
      {
        thread: options.thread,
        text: options.text,
        model: options.model || null,
        params: options.params
      },
      SLOW_MS
    );
    return String((result as { turn?: unknown })?.turn ?? '');
  }

  async stop(turn: string, thread: string): Promise<void> {
    await this.connection.request('chat.stop', { turn, thread });
  }

  async decide(
    callId: string,
    approved: boolean,
    reason: string,
    scope: string
  ): Promise<void> {
    await this.connection.request('approval.decide', {
      call_id: callId,
      approved,
      reason,
      scope
    });
  }

  async tools(): Promise<IToolEntry[]> {
    return readTools(await this.connection.request('tools.list'));
  }

  async setPolicy(name: string, policy: string): Promise<void> {
    await this.connection.request('tools.policy', { name, policy });
  }

  async servers(): Promise<IServerEntry[]> {
    return readServers(await this.connection.request('mcp.servers'));
  }

  async restart(name: string): Promise<IServerEntry> {
    return readServer(
      await this.connection.request('mcp.restart', { name }, SLOW_MS)
    );
  }

  async usage(thread: string, model: string): Promise<IUsageReport> {
    return readUsageReport(
      await this.connection.request('usage', { thread, model: model || null })
    );
  }

  async models(): Promise<{ configured: string; recent: string[] }> {
    return readModels(await this.connection.request('models'));
  }
}
