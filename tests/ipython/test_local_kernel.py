"""The embedded local model in a real kernel: no key, no network."""

from __future__ import annotations

import importlib.util

import pytest

from tests.ipython.test_tools_kernel import ADD, card_shown, comm_of
from tests.support.kernel import kernel

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None, reason="the [local] extra is not installed"
    ),
]


def test_local_model_streams_an_answer_and_a_forced_tool_goes_through_the_card() -> None:
    with kernel() as k:
        k.run("%load_ext jupyter_orch\n" + ADD)
        ex = k.run("%%chat -m local/smollm2 --max-tokens 40\nName one planet.", timeout=180)
        streamed = [m for m in ex.outputs() if m["msg_type"] == "update_display_data"]
        (bundle,) = ex.final_bundles()
        assert ex.errors() == [] and streamed
        assert bundle["text/markdown"].strip() and "local/smollm2" in bundle["text/markdown"]
        assert "offered tools only when one is forced" in bundle["text/markdown"]

        msg_id = k.send("%%chat -m local/smollm2 --tool add --max-tokens 40\nWhat is 17 + 25?")
        ex = k.collect(msg_id, until=card_shown, timeout=180)
        k.click(comm_of(ex, "ButtonModel", description="Approve"))
        ex = k.collect(msg_id, into=ex, timeout=180)
        assert ex.errors() == []
        assert "approved by you" in ex.final_bundles()[0]["text/markdown"]
        assert k.run("print(len(calls))").stdout() == "1\n"


def test_a_missing_local_extra_is_one_line() -> None:
    with kernel(env={"JUPYTER_ORCH_LOCAL_WEIGHTS": "/nonexistent/model.gguf"}) as k:
        k.run("%load_ext jupyter_orch")
        ex = k.run("%%chat -m local/smollm2\nhi", timeout=120)
        (error,) = ex.errors()
        assert len(error["traceback"]) == 1
        assert not error["evalue"].startswith("litellm"), error["evalue"]
        assert "local model" in error["evalue"], error["evalue"]
