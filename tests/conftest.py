"""Shared fixtures: a local OpenAI-compatible server and real kernels."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from jupyter_orch.testing.openai_server import OpenAIServer
from tests.support.kernel import Kernel, kernel


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as s:
        yield s


@pytest.fixture
def chat_kernel(server: OpenAIServer) -> Iterator[Kernel]:
    """A kernel with the extension loaded and pointed at the local test server."""
    with kernel() as k:
        ex = k.run(
            "%load_ext jupyter_orch\n"
            '%config JupyterOrch.model = "openai/test-model"\n'
            f'%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}\n'
            "%config JupyterOrch.retry_backoff = 0.01"
        )
        assert ex.errors() == []
        yield k
