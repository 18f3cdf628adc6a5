"""The OpenAI-over-HTTP provider streams openai/... models itself: it must behave as LiteLLM does."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.core.errors import ProviderError
from jupyter_orch.core.provider import ProviderChunk, ProviderRequest, UsageChunk
from jupyter_orch.providers.litellm import LiteLLMProvider
from jupyter_orch.providers.openai_http import OpenAIHTTPProvider
from jupyter_orch.testing.openai_server import OpenAIServer, Reply

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add.",
            "parameters": {"type": "object", "properties": {}},
        },
    }
]


def _request(server: OpenAIServer, **params: Any) -> ProviderRequest:
    return ProviderRequest(
        "openai/test-model",
        [{"role": "user", "content": "hi"}],
        TOOLS,
        {"type": "function", "function": {"name": "add"}},
        {"api_base": server.url, "api_key": "sk-test", "temperature": 0.5, **params},
    )


async def _collect_fast(
    request: ProviderRequest, provider: OpenAIHTTPProvider | None = None
) -> list[ProviderChunk]:
    provider = provider or OpenAIHTTPProvider(timeout=5, max_retries=2, retry_backoff=0.01)
    return [c async for c in provider.stream(request)]


async def _collect_litellm(request: ProviderRequest) -> list[ProviderChunk]:
    provider = LiteLLMProvider(retry_backoff=0.01, timeout=5)
    return [c async for c in provider.stream(request)]


def _both(server: OpenAIServer, replies: list[Reply], **params: Any) -> tuple[Any, Any]:
    """Run the same replies through both paths; return chunks (or the error) of each."""
    results: list[Any] = []
    for collect in (_collect_fast, _collect_litellm):
        server.enqueue(*replies)
        try:
            results.append(asyncio.run(collect(_request(server, **params))))
        except ProviderError as exc:
            results.append((exc.kind, exc.retryable))
    return results[0], results[1]


def _no_cost(chunks: Any) -> Any:
    if not isinstance(chunks, list):
        return chunks
    return [
        UsageChunk(c.usage.__class__(c.usage.prompt_tokens, c.usage.completion_tokens))
        if isinstance(c, UsageChunk)
        else c
        for c in chunks
    ]


@pytest.mark.parametrize(
    "replies",
    [
        [Reply.text("Hello **world**, streamed in pieces.", chunk_chars=3)],
        [
            Reply.tool_calls(
                [("add", {"a": 2, "b": 3}, "c1"), ("add", {"a": 4, "b": 5}, "c2")],
                text="Let me add.",
            )
        ],
        [Reply.error(429, "slow down"), Reply.text("after a retry")],
    ],
)
def test_the_http_path_yields_the_same_chunks_as_litellm(replies: list[Reply]) -> None:
    with OpenAIServer() as server:
        fast, slow = _both(server, replies)
        assert _no_cost(fast) == _no_cost(slow)
        bodies = server.requests
        fast_body, slow_body = bodies[0], bodies[-1]
        for key in ("model", "messages", "stream", "tools", "tool_choice", "temperature"):
            assert fast_body.get(key) == slow_body.get(key), key


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply.error(401, "Incorrect API key provided: sk-test"), ("auth", False)),
        (Reply.error(404, "The model `test-model` does not exist"), ("unknown_model", False)),
        (Reply.text("cut short here", chunk_chars=3, cut_after=2), ("stream_cut", False)),
    ],
)
def test_the_http_path_fails_as_litellm_does(reply: Reply, kind: tuple[str, bool]) -> None:
    with OpenAIServer() as server:
        fast, slow = _both(server, [reply])
        assert fast == slow == kind


def test_the_http_path_reports_refused_connections_and_timeouts_in_one_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    request = ProviderRequest(
        "openai/m",
        [{"role": "user", "content": "x"}],
        params={"api_base": f"http://127.0.0.1:{port}/v1", "api_key": "k"},
    )
    with pytest.raises(ProviderError, match="Cannot reach") as refused:
        asyncio.run(_collect_fast(request))
    assert refused.value.kind == "connection"
    with OpenAIServer() as server:
        server.enqueue(Reply.hang())
        with pytest.raises(ProviderError, match="did not answer in time") as late:
            asyncio.run(_collect_fast(_request(server, timeout=0.5)))
        assert late.value.kind == "timeout"


def test_a_missing_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    request = ProviderRequest(
        "openai/gpt-4o-mini",
        [{"role": "user", "content": "x"}],
        params={"api_base": "http://127.0.0.1:9/v1"},
    )
    with pytest.raises(ProviderError, match="OPENAI_API_KEY"):
        asyncio.run(_collect_fast(request))


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[OpenAIServer, Path]]:
    """An HTTPS server with a self-signed certificate for 127.0.0.1, and that certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with OpenAIServer(tls=context) as server:
        yield server, cert


def test_the_http_path_speaks_https_and_checks_the_certificate(
    tls_server: tuple[OpenAIServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = tls_server
    assert server.url.startswith("https://")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server.enqueue(Reply.text("secure"))
    with pytest.raises(ProviderError, match="CERTIFICATE_VERIFY_FAILED") as untrusted:
        asyncio.run(_collect_fast(_request(server)))
    assert "\n" not in str(untrusted.value) and not server.requests
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    trusting = OpenAIHTTPProvider(timeout=5)  # its TLS context is built with the new setting
    trusting.prepare()
    chunks = asyncio.run(_collect_fast(_request(server), trusting))
    assert "".join(getattr(c, "text", "") for c in chunks) == "secure"
