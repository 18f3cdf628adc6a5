"""The background warm-up: after it, the first model call imports almost nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from jupyter_orch.testing.openai_server import OpenAIServer, Reply

FIRST_CALL = textwrap.dedent(
    """
    import asyncio, json, sys
    from jupyter_orch.core.provider import ProviderRequest
    from jupyter_orch.providers.litellm import LiteLLMProvider, loader

    if sys.argv[2] == "warm":
        loader.warm_in_background().join()
    else:
        loader.load_litellm()
    assert not loader.is_warming()
    before = set(sys.modules)
    request = ProviderRequest(
        "openai/test-model", [{"role": "user", "content": "hi"}],
        params={"api_base": sys.argv[1], "api_key": "sk-test"},
    )

    async def call():
        return [c async for c in LiteLLMProvider().stream(request)]

    asyncio.run(call())
    print(json.dumps(sorted(set(sys.modules) - before)))
    """
)


def _modules_imported_by_the_first_call(mode: str) -> list[str]:
    with OpenAIServer() as server:
        server.enqueue(Reply.text("ok"))
        done = subprocess.run(
            [sys.executable, "-c", FIRST_CALL, server.url, mode],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        )
        assert done.returncode == 0, done.stderr
        assert len(server.requests) == 1  # the call went through litellm, to the server
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_the_warm_up_imports_what_litellm_s_first_call_would() -> None:
    cold = _modules_imported_by_the_first_call("import only")
    warm = _modules_imported_by_the_first_call("warm")
    # Measured: litellm 1.106 imported ~500 modules on its first call, 1.110 ~70; 15 after the
    # warm-up. The behaviour, whatever the version: the warm-up did most of that work ahead.
    assert len(warm) < 40, warm
    assert len(set(cold) - set(warm)) >= 0.75 * len(cold), (len(cold), warm)
