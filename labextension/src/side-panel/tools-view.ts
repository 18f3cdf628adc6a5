/**
 * The Tools tab: every tool with its source and a policy toggle (auto / ask / deny), the
 * same setting as `%chat policy NAME ...`; the MCP servers with their state and Restart.
 */
import { append, el } from '../common/dom';
import type { IServerEntry, IToolEntry } from './protocol';

export const POLICIES = ['auto', 'ask', 'deny'] as const;

export interface IToolsHooks {
  setPolicy(name: string, policy: string): Promise<void>;
  restart(name: string): Promise<void>;
}

function policyToggle(
  tool: IToolEntry,
  hooks: IToolsHooks,
  report: (e: unknown) => void
) {
  const group = el('div', 'jp-OrchTools-policy');
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', `Policy of ${tool.name}`);
  for (const policy of POLICIES) {
    const button = el(
      'button',
      'jp-OrchPanelButton jp-OrchTools-choice',
      policy
    );
    button.type = 'button';
    button.setAttribute('aria-pressed', String(tool.policy === policy));
    button.disabled = tool.locked && policy === 'auto';
    if (button.disabled) {
      button.title = `${tool.name} always asks before it runs code`;
    }
    button.addEventListener('click', () => {
      hooks.setPolicy(tool.name, policy).catch(report);
    });
    group.appendChild(button);
  }
  return group;
}

export class ToolsView {
  constructor(private readonly _hooks: IToolsHooks) {
    append(
      this.node,
      el('h3', 'jp-OrchTools-heading', 'Tools'),
      this._tools,
      el('h3', 'jp-OrchTools-heading', 'MCP servers'),
      this._servers,
      this._error
    );
  }

  readonly node = el('div', 'jp-OrchTools');

  showTools(tools: IToolEntry[]): void {
    this._tools.textContent = '';
    if (!tools.length) {
      this._tools.appendChild(
        el(
          'div',
          'jp-OrchTools-empty',
          'No tools yet: @jupyter_orch.tool, %chat expose, %mcp add.'
        )
      );
    }
    for (const tool of tools) {
      const row = el('div', 'jp-OrchTools-tool');
      row.dataset.tool = tool.name;
      const allowed = tool.allowed
        ? ` · allowed ${tool.allowed === 'always' ? 'always' : 'for this session'}`
        : '';
      append(
        row,
        el('div', 'jp-OrchTools-name', tool.name),
        el('div', 'jp-OrchTools-source', `${tool.sourceWords}${allowed}`),
        tool.description
          ? el('div', 'jp-OrchTools-description', tool.description)
          : null,
        policyToggle(tool, this._hooks, e => this.error(e))
      );
      this._tools.appendChild(row);
    }
  }

  showServers(servers: IServerEntry[]): void {
    this._servers.textContent = '';
    if (!servers.length) {
      this._servers.appendChild(
        el(
          'div',
          'jp-OrchTools-empty',
          'No MCP servers (%mcp add NAME -- COMMAND).'
        )
      );
    }
    for (const server of servers) {
      const row = el('div', 'jp-OrchTools-server');
      row.dataset.server = server.name;
      const restart = el(
        'button',
        'jp-OrchPanelButton jp-OrchTools-restart',
        'Restart'
      );
      restart.type = 'button';
      restart.addEventListener('click', () => {
        restart.disabled = true;
        this._hooks
          .restart(server.name)
          .catch(e => this.error(e))
          .finally(() => (restart.disabled = false));
      });
      const about = [server.server, `${server.tools} tools`]
        .filter(Boolean)
        .join(' · ');
      append(
        row,
        el('div', 'jp-OrchTools-name', server.name),
        el('span', `jp-OrchTools-state jp-mod-${server.state}`, server.state),
        el('div', 'jp-OrchTools-source', about),
        server.error ? el('div', 'jp-OrchTools-error', server.error) : null,
        restart
      );
      this._servers.appendChild(row);
    }
  }

  error(error: unknown): void {
    this._error.textContent =
      error instanceof Error ? error.message : error ? String(error) : '';
  }

  private _error = el('div', 'jp-OrchTools-error');
  private _servers = el('div', 'jp-OrchTools-servers');
  private _tools = el('div', 'jp-OrchTools-list');
}
