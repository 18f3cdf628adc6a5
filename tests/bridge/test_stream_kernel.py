"""A ``%%chat`` cell streaming over the bridge when the page offers ``stream``: only new text
travels, the cell holds one small bundle meanwhile, and the final bundle is the standard one."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply

from .page import TestPage, Wire

STREAM_MIME = "application/vnd.jupyter-orch.stream+json"
TURN_MIME = "application/vnd.jupyter-orch.turn+json"
ANSWER = "First paragraph, **bold**.\n\n```python\nx = 1\n```\n\n" + "word " * 60 + "\n\nDone."
SETUP = """\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{url}", "api_key": "sk-test"}}"""


@pytest.fixture
def chat(wire: Wire, server: OpenAIServer) -> Wire:
    wire.run(SETUP.format(url=server.url), timeout=90)
    return wire


def _bundles(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kinds = ("display_data", "update_display_data")
    return [m["content"]["data"] for m in messages if m["msg_type"] in kinds]


def _final(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return next(b for b in reversed(_bundles(messages)) if TURN_MIME in b)


def test_a_cell_streams_only_new_text_over_the_bridge_and_ends_with_the_standard_bundle(
    chat: Wire, server: OpenAIServer
) -> None:
    page = TestPage(chat, capabilities=("notify", "status", "stream"))
    page.connect()
    server.enqueue(Reply.text(ANSWER, chunk_chars=4, tokens_per_second=200))
    done = chat.run("%%chat\nStream it", timeout=60)

    shown = [b for b in _bundles(done) if STREAM_MIME in b]
    assert len(shown) == 1  # one output while it streams, never re-sent
    stream_id = shown[0][STREAM_MIME]["id"]
    assert shown[0][STREAM_MIME] == {"id": stream_id, "format": "markdown"}
    assert "streaming" in shown[0]["text/plain"]
    pieces = [e for e in page.events("stream") if e["id"] == stream_id]
    assert "".join(p.get("text", "") for p in pieces) == ANSWER
    assert pieces[-1] == {"id": stream_id, "end": True}
    assert len(pieces) < len(ANSWER) // 4 / 2  # batched
    markdown = [b["text/markdown"] for b in _bundles(done) if "text/markdown" in b]
    partial = [text for text in markdown if "First paragraph" in text and "Done." not in text]
    assert partial == []  # no growing paragraph re-sent through iopub
    final = _final(done)
    assert "Done." in final["text/markdown"] and "Done." in final["text/plain"]
    assert final[TURN_MIME]["answer"] == ANSWER
    assert STREAM_MIME not in final


def test_without_a_page_that_renders_streams_the_cell_streams_as_before(
    chat: Wire, server: OpenAIServer
) -> None:
    page = TestPage(chat, capabilities=("notify", "status"))
    page.connect()
    server.enqueue(Reply.text(ANSWER, chunk_chars=4, tokens_per_second=200))
    done = chat.run("%%chat\nStream it", timeout=60)

    assert not [b for b in _bundles(done) if STREAM_MIME in b]
    assert page.events("stream") == []
    growing = [b["text/markdown"] for b in _bundles(done) if "text/markdown" in b]
    assert any("First paragraph" in text for text in growing[:-1])
    assert _final(done)[TURN_MIME]["answer"] == ANSWER


def test_text_after_a_tool_call_streams_as_a_new_output_below_the_card(
    chat: Wire, server: OpenAIServer
) -> None:
    chat.run(
        "import jupyter_orch\n"
        "@jupyter_orch.tool\ndef add(a: int, b: int) -> int:\n"
        '    """Add."""\n    return a + b'
    )
    chat.run("%chat tools")  # the decorated tool joins the registry
    chat.run("%chat policy add auto")
    page = TestPage(chat, capabilities=("notify", "status", "stream"))
    page.connect()
    server.enqueue(
        Reply.tool_calls([("add", {"a": 2, "b": 3})], text="Let me add."),
        Reply.text("It is 5."),
    )
    done = chat.run("%%chat\nAdd 2 and 3", timeout=60)
    ids = [b[STREAM_MIME]["id"] for b in _bundles(done) if STREAM_MIME in b]
    assert len(ids) == 2 and ids[0] != ids[1]
    texts = ["".join(e.get("text", "") for e in page.events("stream") if e["id"] == i) for i in ids]
    assert texts == ["Let me add.", "It is 5."]
    assert "It is 5." in _final(done)["text/markdown"]
