"""The extensions compared: ours and its peers, each with the code a user would type.

Peers live in their own virtualenv (``benchmarks/.venv-peers``, made by
``benchmarks/setup_peers.sh``) so their dependencies never touch the project's; their kernels
run with that venv's Python. Every contender talks to the same local fake OpenAI server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache

from .fakeserver import MODEL
from .kernels import ROOT, BenchError, BenchKernel

PEERS_PYTHON = ROOT / "benchmarks" / ".venv-peers" / "bin" / "python"
API_KEY = "sk-test"
_WARM_DONE = (
    "from jupyter_orch.providers.litellm.loader import is_loaded, is_warming\n"
    "print(is_loaded() and not is_warming())"
)


@dataclass(frozen=True)
class Contender:
    """One extension, as a user drives it.

    Parameters
    ----------
    key
        Short name used in the JSON (``ours``, ``jupyter-ai``, ``chatlab``).
    python
        The Python its kernels run.
    module
        The module that must be importable there.
    load
        The code that loads it (case 1).
    """

    key: str
    python: str
    module: str
    load: str

    def setup(self, url: str) -> str:
        """Code that loads the extension and points it at the server at ``url``."""
        if self.key == "ours":
            params = {"api_base": url, "api_key": API_KEY}
            return (
                f"{self.load}\n"
                f'%config JupyterOrch.model = "openai/{MODEL}"\n'
                f"%config JupyterOrch.params = {params!r}"
            )
        if self.key == "jupyter-ai":
            return self.load
        options = f"base_url={url!r}, api_key={API_KEY!r}, model={MODEL!r}"
        return f"from chatlab import Chat\nchat = Chat({options})"

    def chat(self, prompt: str, url: str) -> str:
        """A cell that asks ``prompt`` and shows the answer as the extension does."""
        if self.key == "ours":
            return f"%%chat\n{prompt}"
        if self.key == "jupyter-ai":
            # `streaming` makes the model stream to langchain, so the server paces the answer
            # as a real model would; %%ai still shows it only once it is complete. The magic
            # splits its line on spaces: the JSON must have none.
            params = json.dumps({"streaming": True, "openai_api_base": url}, separators=(",", ":"))
            return f"%%ai openai-chat-custom:{MODEL} -m {params}\n{prompt}"
        return f"await chat({prompt!r})"

    def env(self) -> dict[str, str]:
        """Environment its kernel needs (the peers read the key from it)."""
        return {"OPENAI_API_KEY": API_KEY}


OURS = Contender("ours", sys.executable, "jupyter_orch", "%load_ext jupyter_orch")
JUPYTER_AI = Contender(
    "jupyter-ai", str(PEERS_PYTHON), "jupyter_ai_magics", "%load_ext jupyter_ai_magics"
)
CHATLAB = Contender("chatlab", str(PEERS_PYTHON), "chatlab", "import chatlab")
PEERS = (JUPYTER_AI, CHATLAB)


@cache
def missing(contender: Contender) -> str | None:
    """Why ``contender`` cannot run here, or ``None`` when it can."""
    if contender.key == "ours":
        return None
    if not PEERS_PYTHON.exists():
        return "not installed (run benchmarks/setup_peers.sh)"
    check = (
        "import importlib.util, sys\n"
        f"sys.exit(importlib.util.find_spec({contender.module!r}) is None)"
    )
    done = subprocess.run([contender.python, "-c", check], capture_output=True, timeout=60)
    if done.returncode != 0:
        return f"{contender.module} is not importable in benchmarks/.venv-peers"
    return None


def wait_until_warm(kernel: BenchKernel, timeout: float = 120.0) -> None:
    """Wait until ours has finished importing LiteLLM in its background thread.

    Measures taken while that import runs would mostly show the import competing for the
    GIL, which no longer happens a few seconds after ``%load_ext``.
    """
    deadline = time.monotonic() + timeout
    while "True" not in kernel.run_ok(_WARM_DONE).stdout():
        if time.monotonic() > deadline:
            raise BenchError("LiteLLM's warm-up import did not finish")
        time.sleep(0.1)  # polling a flag set by a thread inside the kernel


def available(contenders: tuple[Contender, ...], with_peers: bool) -> list[Contender]:
    """Ours, plus the peers that can run here when ``with_peers``."""
    chosen = [OURS]
    if with_peers:
        chosen += [p for p in contenders if missing(p) is None]
    return chosen
