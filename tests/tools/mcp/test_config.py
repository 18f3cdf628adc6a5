from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_orch.core.errors import OrchError
from jupyter_orch.tools.mcp.config import ServerConfig, load_config, parse_config

CLAUDE = {
    "mcpServers": {
        "time": {"command": "mcp-server-time", "args": ["--local-timezone=${TZ_NAME:-UTC}"]},
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GH_TOKEN}"},
            "autoApprove": ["search_repositories"],
        },
        "remote": {
            "url": "https://example.test/mcp",
            "headers": {"Authorization": "Bearer ${GH_TOKEN}"},
        },
        "off": {"command": "nothing", "disabled": True},
    }
}

VSCODE = """\
// .vscode/mcp.json, with comments and trailing commas as VS Code allows
{
  "inputs": [],
  "servers": {
    "time": {"type": "stdio", "command": "mcp-server-time", "args": [],},  // local
    "docs": {"type": "http", "url": "http://127.0.0.1:9/mcp",
             "headers": {"X-Key": "${env:GH_TOKEN}"}},
    /* an old server */
    "legacy": {"type": "sse", "url": "http://127.0.0.1:9/sse"},
    "here": {"command": "tool", "cwd": "${workspaceFolder}/sub"},
  },
}
"""


def test_the_claude_format_gives_every_server_with_variables_expanded(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(json.dumps(CLAUDE))
    servers = load_config(path, environ={"GH_TOKEN": "tok"})
    assert servers == [
        ServerConfig("time", "stdio", command="mcp-server-time", args=("--local-timezone=UTC",)),
        ServerConfig(
            "github",
            "stdio",
            command="npx",
            args=("-y", "@modelcontextprotocol/server-github"),
            env={"GITHUB_PERSONAL_ACCESS_TOKEN": "tok"},
            auto_approve=("search_repositories",),
        ),
        ServerConfig(
            "remote",
            "http",
            url="https://example.test/mcp",
            headers={"Authorization": "Bearer tok"},
        ),
        ServerConfig("off", "stdio", command="nothing", disabled=True),
    ]
    assert servers[1].origin == "claude_desktop_config.json: mcpServers.github"


def test_the_vscode_format_reads_types_comments_and_workspace_variables(tmp_path: Path) -> None:
    folder = tmp_path / ".vscode"
    folder.mkdir()
    (folder / "mcp.json").write_text(VSCODE)
    servers = load_config(folder / "mcp.json", environ={"GH_TOKEN": "tok"})
    assert [(s.name, s.transport) for s in servers] == [
        ("time", "stdio"),
        ("docs", "http"),
        ("legacy", "sse"),
        ("here", "stdio"),
    ]
    assert servers[1].headers == {"X-Key": "tok"}
    assert servers[3].cwd == f"{tmp_path.resolve()}/sub"


def test_a_default_applies_when_the_variable_is_unset_or_empty() -> None:
    text = '{"mcpServers": {"a": {"command": "x", "args": ["${A:-one}", "${B:-two}", "${C}"]}}}'
    (server,) = parse_config(text, environ={"B": "", "C": ""})
    assert server.args == ("one", "two", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"mcpServers": {"a": {"command": "x",}',
            "f.json line 1 column 39: Expecting ',' delimiter",
        ),
        ('{"tools": {}}', 'f.json: expected {"mcpServers": {...}}'),
        (
            '{"mcpServers": {"a": {"command": "x", "args": "-v"}}}',
            "f.json: mcpServers.a.args: must be a list",
        ),
        ('{"mcpServers": {"a": {"args": []}}}', 'f.json: mcpServers.a: needs "command"'),
        (
            '{"servers": {"a": {"type": "ws", "url": "u"}}}',
            "f.json: servers.a.type: must be stdio, http or sse",
        ),
        (
            '{"mcpServers": {"a": {"command": "x", "env": {"K": "${NOPE}"}}}}',
            "f.json: mcpServers.a.env.K: environment variable NOPE is not set",
        ),
        (
            '{"servers": {"a": {"command": "${input:key}"}}}',
            "f.json: servers.a.command: VS Code input",
        ),
        (
            '{"mcpServers": {"bad name": {"command": "x"}}}',
            "f.json: mcpServers.bad name: server name",
        ),
        (
            '{"mcpServers": {"a": {"command": "x", "disabled": "yes"}}}',
            "f.json: mcpServers.a.disabled: must be",
        ),
    ],
)
def test_a_malformed_file_is_one_line_naming_the_file_and_the_place(
    text: str, message: str
) -> None:
    with pytest.raises(OrchError) as caught:
        parse_config(text, source="f.json", environ={})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OrchError, match=r"cannot read MCP config .*nope\.json"):
        load_config(tmp_path / "nope.json")


def test_urls_inside_strings_are_not_taken_for_comments() -> None:
    (server,) = parse_config('{"servers": {"a": {"url": "http://h/x//y", "headers": {"a": "/*"}}}}')
    assert server.url == "http://h/x//y"
    assert server.headers == {"a": "/*"}


def test_http_entries_take_oauth_settings_and_a_protocol() -> None:
    import json as _json

    from jupyter_orch.tools.mcp.config import parse_config

    text = _json.dumps(
        {
            "mcpServers": {
                "remote": {
                    "url": "https://example.test/mcp",
                    "protocol": "legacy",
                    "oauth": {"clientId": "abc", "clientSecret": "${SECRET}", "scope": "read"},
                },
                "plain": {"url": "https://example.test/other", "oauth": False},
                "local": {"command": "server"},
            }
        }
    )
    remote, plain, local = parse_config(text, environ={"SECRET": "s3"})
    assert remote.oauth == {"client_id": "abc", "client_secret": "s3", "scope": "read"}
    assert remote.connect_mode() == "legacy"
    assert plain.oauth == {"disabled": True} and plain.connect_mode() == "auto"
    assert local.connect_mode() == "legacy"
