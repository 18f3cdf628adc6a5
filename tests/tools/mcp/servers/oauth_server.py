"""A small MCP server behind OAuth, with its own authorization server, on 127.0.0.1.

One process serves both roles, as many hosted servers do:

- the MCP endpoint ``/mcp`` (an SDK server with the tool ``whoami``), which answers 401
  with ``WWW-Authenticate: Bearer resource_metadata=...`` unless the request carries a
  token this process issued and that has not expired;
- protected-resource metadata (RFC 9728), authorization-server metadata (RFC 8414),
  dynamic client registration (RFC 7591), ``/authorize`` (approves at once: a 302 back to
  the redirect address with a code) and ``/token`` (authorization code with PKCE S256,
  refresh tokens).

Every grant is appended to ``--events`` as a JSON line (``{"event": ..., "token": ...}``),
so tests know which tokens exist and whether a refresh happened.

Run: ``python oauth_server.py --port PORT --events FILE [--expires-in SECONDS]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

app = MCPServer("secure")


@app.tool()
def whoami() -> str:
    """Say who is signed in."""
    return "signed in as the test user"


class Authority:
    """The authorization server's state: clients, codes, tokens."""

    def __init__(self, base: str, events: Path, expires_in: int) -> None:
        self.base = base
        self.events = events
        self.expires_in = expires_in
        self.clients: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.access: dict[str, float] = {}
        self.refresh: set[str] = set()

    def note(self, event: str, **fields: Any) -> None:
        with self.events.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"event": event, **fields}) + "\n")

    def valid(self, header: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        return self.access.get(token, 0) > time.time()

    def issue(self, grant: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access[access] = time.time() + self.expires_in
        self.refresh.add(refresh)
        self.note(grant, token=access, refresh=refresh)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
        }


def routes(auth: Authority) -> list[Route]:
    async def resource_metadata(request: Request) -> Response:
        return JSONResponse({"resource": f"{auth.base}/mcp", "authorization_servers": [auth.base]})

    async def server_metadata(request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": auth.base,
                "authorization_endpoint": f"{auth.base}/authorize",
                "token_endpoint": f"{auth.base}/token",
                "registration_endpoint": f"{auth.base}/register",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
            }
        )

    async def register(request: Request) -> Response:
        body = await request.json()
        client_id = secrets.token_hex(8)
        client = {**body, "client_id": client_id, "token_endpoint_auth_method": "none"}
        auth.clients[client_id] = client
        auth.note("register", client_id=client_id)
        return JSONResponse(client, status_code=201)

    async def authorize(request: Request) -> Response:
        q = request.query_params
        client = auth.clients.get(q.get("client_id", ""))
        if client is None or q.get("redirect_uri") not in client.get("redirect_uris", []):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        auth.codes[code] = {"challenge": q.get("code_challenge"), "client": client["client_id"]}
        target = {"code": code, "state": q.get("state", ""), "iss": auth.base}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(target)}", status_code=302)

    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in auth.refresh:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            auth.refresh.discard(str(form["refresh_token"]))
            return JSONResponse(auth.issue("refresh"))
        grant = auth.codes.pop(str(form.get("code", "")), None)
        verifier = str(form.get("code_verifier", "")).encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if grant is None or digest.decode() != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(auth.issue("code"))

    return [
        Route("/.well-known/oauth-protected-resource/mcp", resource_metadata),
        Route("/.well-known/oauth-protected-resource", resource_metadata),
        Route("/.well-known/oauth-authorization-server", server_metadata),
        Route("/register", register, methods=["POST"]),
        Route("/authorize", authorize),
        Route("/token", token, methods=["POST"]),
    ]


class BearerGate:
    """Lets ``/mcp`` requests through only with a valid token; 401 with the metadata link."""

    def __init__(self, inner: Any, auth: Authority) -> None:
        self.inner = inner
        self.auth = auth

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/mcp"):
            headers = dict(scope.get("headers") or [])
            if not self.auth.valid(headers.get(b"authorization", b"").decode()):
                metadata = f"{self.auth.base}/.well-known/oauth-protected-resource/mcp"
                response = JSONResponse(
                    {"error": "invalid_token"},
                    status_code=401,
                    headers={"WWW-Authenticate": f'Bearer resource_metadata="{metadata}"'},
                )
                await response(scope, receive, send)
                return
        await self.inner(scope, receive, send)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--expires-in", type=int, default=3600)
    opts = parser.parse_args()
    base = f"http://127.0.0.1:{opts.port}"
    auth = Authority(base, opts.events, opts.expires_in)
    web = app.streamable_http_app()
    web.router.routes[0:0] = routes(auth)
    uvicorn.run(BearerGate(web, auth), host="127.0.0.1", port=opts.port, log_level="warning")


if __name__ == "__main__":
    main()
