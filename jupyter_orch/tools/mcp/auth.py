"""OAuth for remote MCP servers: the SDK's provider, a token file, a loopback callback.

A server that answers 401 starts the SDK's authorization-code flow (PKCE, metadata
discovery, dynamic or pre-registered clients). The user is shown a "Sign in to NAME" link
(:class:`SignIn`); the authorization server sends the browser back to a one-shot HTTP
server on ``127.0.0.1`` at a random port (:class:`LoopbackCallback`). Tokens are kept per
user in one file that only that user can read (:class:`TokenFile`, mode 0600), refreshed
when they expire, and removed by ``%mcp logout NAME``. A run with nobody to sign in uses
the stored tokens or fails with one line (:class:`SignInNeeded`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from pydantic import AnyUrl

from ...core.errors import OrchError
from .callback import LoopbackCallback
from .config import ServerConfig
from .tokens import TokenFile

SIGN_IN_SECONDS = 300.0
"""How long a sign-in may take, from the link shown to the browser's return."""


class SignInNeeded(OrchError):
    """The server needs a sign-in that cannot happen here (a headless run, no answer)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "auth")


class SignIn(Protocol):
    """Shows the user where to sign in, and that it is done."""

    def show(self, server: str, url: str) -> None:
        """Show a "Sign in to ``server``" link to ``url`` (an http(s) URL, checked)."""
        ...

    def done(self, server: str) -> None:
        """Say the sign-in is over (replace the link)."""
        ...


def needs_sign_in_text(name: str, url: str) -> str:
    """Return the one line that says ``name`` needs a sign-in, and how to give it."""
    return (
        f"MCP server {name!r} needs sign-in (it answered 401 Unauthorized): run "
        f"%mcp add {name} --url {url} in a notebook and follow the 'Sign in to {name}' link; "
        "headless runs use the tokens stored by that sign-in"
    )


class StoredTokens:
    """The SDK's token storage for one server, kept in the user's :class:`TokenFile`."""

    def __init__(self, tokens: TokenFile, key: str) -> None:
        self._file = tokens
        self._key = key

    async def get_tokens(self) -> OAuthToken | None:
        """Return the stored tokens, ``expires_in`` counted from now."""
        entry = self._file.get(self._key).get("tokens")
        if not isinstance(entry, dict):
            return None
        data = dict(entry)
        expires_at = data.pop("expires_at", None)
        if isinstance(expires_at, (int, float)):
            data["expires_in"] = int(expires_at - time.time())
        return OAuthToken.model_validate(data)

    async def set_tokens(self, tokens: OAuthToken) -> None:
        """Store ``tokens`` with their absolute expiry (they outlive the kernel)."""
        data = tokens.model_dump(mode="json", exclude_none=True)
        expires_in = data.pop("expires_in", None)
        if expires_in is not None:
            data["expires_at"] = time.time() + expires_in
        self._file.update(self._key, tokens=data)

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        """Return the registered (or pre-registered) client."""
        entry = self._file.get(self._key).get("client")
        return OAuthClientInformationFull.model_validate(entry) if isinstance(entry, dict) else None

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        """Store the client the authorization server registered."""
        self._file.update(self._key, client=client_info.model_dump(mode="json", exclude_none=True))


class _Provider(OAuthClientProvider):
    """The SDK's provider, told when a loaded access token expires (so it refreshes first)."""

    async def _initialize(self) -> None:
        await super()._initialize()
        if self.context.current_tokens is not None:
            self.context.update_token_expiry(self.context.current_tokens)


class ServerAuth:
    """The OAuth machinery of one HTTP server.

    Parameters
    ----------
    config
        The server (its name, URL and ``oauth`` settings).
    tokens
        The user's token file.
    sign_in
        Shows the link; ``None`` when nobody can sign in (a headless run).
    """

    def __init__(self, config: ServerConfig, tokens: TokenFile, sign_in: SignIn | None) -> None:
        self.config = config
        self.tokens = tokens
        self.sign_in = sign_in
        self.key = f"{config.name} {config.url}"
        self.waiting_for_user = False
        self._callback: LoopbackCallback | None = None
        self._port = _port_of(tokens.get(self.key).get("redirect_port"))

    def provider(self) -> OAuthClientProvider:
        """Return an ``httpx2.Auth`` that runs the flow when the server answers 401."""
        oauth = self.config.oauth
        redirect = f"http://127.0.0.1:{self._port}/callback"
        metadata = OAuthClientMetadata(
            client_name="jupyter-orch",
            redirect_uris=[AnyUrl(redirect)],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            scope=oauth.get("scope") or None,
        )
        storage = StoredTokens(self.tokens, self.key)
        if oauth.get("client_id"):
            self._preregister(storage, oauth, redirect)
        return _Provider(
            server_url=self.config.url or "",
            client_metadata=metadata,
            storage=storage,
            redirect_handler=self._redirect,
            callback_handler=self._wait_for_callback,
            client_metadata_url=oauth.get("client_metadata_url") or None,
        )

    def _preregister(self, storage: StoredTokens, oauth: Mapping[str, Any], redirect: str) -> None:
        secret = oauth.get("client_secret") or None
        info = OAuthClientInformationFull(
            client_id=oauth["client_id"],
            client_secret=secret,
            redirect_uris=[AnyUrl(redirect)],
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
        )
        self.tokens.update(self.key, client=info.model_dump(mode="json", exclude_none=True))

    async def _redirect(self, authorization_url: str) -> None:
        if self.sign_in is None:
            raise SignInNeeded(needs_sign_in_text(self.config.name, self.config.url or ""))
        if not authorization_url.startswith(("https://", "http://")):
            raise OrchError(
                f"MCP server {self.config.name!r} gave a sign-in address that is not http(s)"
            )
        self._callback = LoopbackCallback(self._port)
        await self._callback.start()
        self.tokens.update(self.key, redirect_port=self._port)
        self.waiting_for_user = True
        self.sign_in.show(self.config.name, authorization_url)

    async def _wait_for_callback(self) -> AuthorizationCodeResult:
        callback = self._callback
        if callback is None:
            raise SignInNeeded(needs_sign_in_text(self.config.name, self.config.url or ""))
        try:
            params = await asyncio.wait_for(callback.wait(), SIGN_IN_SECONDS)
        except asyncio.TimeoutError:
            raise SignInNeeded(
                f"MCP server {self.config.name!r}: no sign-in within {SIGN_IN_SECONDS / 60:g} min"
            ) from None
        finally:
            self.waiting_for_user = False
            await callback.close()
            self._callback = None
            if self.sign_in is not None:
                self.sign_in.done(self.config.name)
        if "code" not in params:
            why = params.get("error_description") or params.get("error") or "no code"
            raise OrchError(f"MCP server {self.config.name!r}: sign-in failed: {why}")
        return AuthorizationCodeResult(
            code=params["code"], state=params.get("state"), iss=params.get("iss")
        )


def default_token_path(environ: dict[str, str] | None = None) -> Path:
    """Return the user's token file: ``$JUPYTER_ORCH_MCP_TOKENS``, else the data folder."""
    env = os.environ if environ is None else environ
    if env.get("JUPYTER_ORCH_MCP_TOKENS"):
        return Path(env["JUPYTER_ORCH_MCP_TOKENS"]).expanduser()
    base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local/share")
    return base / "jupyter-orch" / "mcp-tokens.json"


def wants_oauth(config: ServerConfig) -> bool:
    """Whether ``config``'s server gets the OAuth flow (not when it sends its own credentials)."""
    if config.transport == "stdio" or config.oauth.get("disabled"):
        return False
    return not any(k.lower() == "authorization" for k in config.headers)


def _port_of(value: Any) -> int:
    if isinstance(value, int) and 1024 < value < 65536:
        return value
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


AuthFactory = Callable[[ServerConfig], "ServerAuth | None"]
