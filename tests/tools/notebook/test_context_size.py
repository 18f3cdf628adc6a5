"""What --context notebook adds to a request, measured on a 50-cell notebook in a kernel:
bounded in characters (text) and in images (for a model that reads them)."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from jupyter_orch.tools.notebook.render import CONTEXT_CHARS, CONTEXT_IMAGES, CONTEXT_LIMITS
from tests.support.kernel import kernel
from tests.support.png import png


def fifty_cells() -> list[dict[str, Any]]:
    """A working notebook: Markdown notes, code with printed output, results, errors, plots."""
    rng = random.Random(50)
    plot = base64.b64encode(png(160, 120)).decode()
    cells: list[dict[str, Any]] = []
    for i in range(50):
        if i % 5 == 0:
            text = f"## Step {i // 5}\n" + "Some explanation of what comes next. " * 6
            cells.append({"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": text})
            continue
        source = "\n".join(
            f"value_{i}_{k} = compute({k}, scale={rng.random():.3f})" for k in range(8)
        )
        outputs: list[dict[str, Any]] = [
            {"output_type": "stream", "name": "stdout", "text": "row\t" * 40 + "\n" * 3},
            {"output_type": "execute_result", "execution_count": i, "metadata": {},
             "data": {"text/plain": repr([rng.random() for _ in range(30)])}},
        ]  # fmt: skip
        if i % 7 == 0:
            outputs.append({"output_type": "display_data", "metadata": {},
                            "data": {"image/png": plot, "text/plain": "<Figure>"}})  # fmt: skip
        if i % 11 == 0:
            frames = [f"File lib/module_{k}.py, line {k}, in f{k}" for k in range(40)]
            outputs.append({"output_type": "error", "ename": "ValueError", "evalue": "bad",
                            "traceback": [*frames, "ValueError: bad"]})  # fmt: skip
        cells.append({"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": source,
                      "execution_count": i, "outputs": outputs})  # fmt: skip
    return cells


def _size(request: dict[str, Any]) -> int:
    return len(json.dumps(request, ensure_ascii=False).encode())


@pytest.mark.parametrize("model", ["openai/test-model", "openai/gpt-4o"])
def test_context_of_a_50_cell_notebook_is_bounded(
    server: OpenAIServer, tmp_path: Path, model: str
) -> None:
    path = tmp_path / "fifty.ipynb"
    notebook = {"cells": fifty_cells(), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))
    with kernel(env={"JPY_SESSION_NAME": str(path)}) as k:
        k.run(
            "%load_ext jupyter_orch\n"
            f'%config JupyterOrch.model = "{model}"\n'
            f'%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}'
        )
        server.enqueue(Reply.text("a"), Reply.text("b"))
        assert k.run("%%chat --no-tools --new\nSummarise.").errors() == []
        assert k.run("%%chat --no-tools --new --context notebook\nSummarise.").errors() == []
    plain, with_context = server.requests[-2], server.requests[-1]
    content = with_context["messages"][-1]["content"]
    parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
    text = "".join(p.get("text", "") for p in parts)
    images = [p for p in parts if p.get("type") == "image_url"]
    added = _size(with_context) - _size(plain)
    image_bytes = sum(len(p["image_url"]["url"]) for p in images)
    print(
        f"\n{model}: notebook {path.stat().st_size:,} bytes on disk; --context notebook adds "
        f"{added:,} bytes to the request ({len(text):,} characters of text, "
        f"{len(images)} image(s), {image_bytes:,} bytes of them)"
    )
    assert len(text) <= CONTEXT_CHARS + 100  # the summary, plus the prompt
    assert "50 cells" in text and "shown in full" in text
    if model == "openai/gpt-4o":
        assert 1 <= len(images) <= CONTEXT_IMAGES
        assert all(len(p["image_url"]["url"]) <= CONTEXT_LIMITS.image_chars + 30 for p in images)
    else:
        assert images == []
    assert added <= CONTEXT_CHARS * 1.2 + CONTEXT_IMAGES * (CONTEXT_LIMITS.image_chars + 100)
