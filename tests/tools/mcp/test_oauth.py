"""Signing in to an OAuth-protected server through our MCP layer; tokens kept, refreshed, gone."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from jupyter_orch.core.tools import Tool
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.auth import ServerAuth, wants_oauth
from jupyter_orch.tools.mcp.config import ServerConfig
from jupyter_orch.tools.mcp.mounts import McpMounts
from jupyter_orch.tools.mcp.server import MountedServer
from jupyter_orch.tools.mcp.tokens import TokenFile
from tests.support.oauth import follow_sign_in, oauth_server
from tests.tools.mcp.conftest import Kit


class Browser:
    """Follows every sign-in link it is shown, in a thread (as a person in a browser)."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.pages: list[str] = []
        self.finished: list[str] = []

    def show(self, server: str, url: str) -> None:
        self.links.append((server, url))
        task = asyncio.ensure_future(asyncio.to_thread(follow_sign_in, url))
        task.add_done_callback(lambda t: self.pages.append(t.result()))

    def done(self, server: str) -> None:
        self.finished.append(server)


async def _mount(
    url: str, tokens: TokenFile, sign_in: Browser | None, logs: Path
) -> tuple[Session, MountedServer]:
    session = Session()
    mounts = McpMounts(
        session,
        log_dir=logs,
        auth=lambda c: ServerAuth(c, tokens, sign_in) if wants_oauth(c) else None,
    )
    server = await mounts.add(ServerConfig("secure", "http", url=url))
    return session, server


def _whoami(session: Session) -> Tool:
    tool = session.registry.get("whoami")
    assert tool is not None, "the server's tool was not mounted"
    return tool


def test_sign_in_once_then_the_stored_tokens_serve_a_new_session(kit: Kit, tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    browser = Browser()
    with oauth_server(tmp_path) as remote:

        async def scenario() -> tuple[str, str, str]:
            session, server = await _mount(remote.url, tokens, browser, tmp_path / "a")
            assert server.state == "connected", server.error
            first = (await _whoami(session).call({})).text()
            await session.aclose()
            # A new kernel: nobody can sign in, the stored tokens are used.
            session, server = await _mount(remote.url, tokens, None, tmp_path / "b")
            assert server.state == "connected", server.error
            second = (await _whoami(session).call({})).text()
            log = server.log_text()
            await session.aclose()
            return first, second, log

        first, second, log = kit.run(scenario())
        assert first == second == "signed in as the test user"
        assert [name for name, _ in browser.links] == ["secure"]
        assert browser.finished == ["secure"] and "Signed in." in browser.pages[0]
        assert [g["event"] for g in remote.grants()] == ["register", "code"]
        assert stat.S_IMODE(tokens.path.stat().st_mode) == 0o600
        for token in remote.tokens():
            assert token not in log


def test_an_expired_token_is_refreshed(kit: Kit, tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    with oauth_server(tmp_path, expires_in=1) as remote:

        async def scenario() -> None:
            session, server = await _mount(remote.url, tokens, Browser(), tmp_path / "a")
            assert server.state == "connected", server.error
            await session.aclose()
            await kit.until(
                lambda: (
                    tokens.get(f"secure {remote.url}")["tokens"]["expires_at"]
                    < __import__("time").time()
                ),
                what="the token to expire",
            )
            session, server = await _mount(remote.url, tokens, None, tmp_path / "b")
            assert server.state == "connected", server.error
            await session.aclose()

        kit.run(scenario())
        assert [g["event"] for g in remote.grants()] == ["register", "code", "refresh"]


def test_headless_without_stored_tokens_fails_with_one_line(kit: Kit, tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    with oauth_server(tmp_path) as remote:

        async def scenario() -> str | None:
            session, server = await _mount(remote.url, tokens, None, tmp_path / "a")
            await session.aclose()
            return server.error

        error = kit.run(scenario())
    assert error is not None and error.startswith("MCP server 'secure' needs sign-in")
    assert "\n" not in error
    assert tokens.remove_server("secure") in (0, 1)
