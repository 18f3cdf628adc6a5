"""How long the page takes to render a saved 50-turn notebook (budget: 1 s on this machine).

A notebook of 50 tool-using turns (one turn recorded by a real kernel through nbclient, its
cell repeated) is opened with no kernel in real JupyterLab in Debian's Chromium. The clock
runs in the page: from the ``docmanager:open`` command to the moment every turn is drawn
(footers there, every Markdown part and every tool call's arguments rendered). Notebook
windowing is turned off, so all 50 turns are rendered, not only those on screen.

Usage::

    .venv/bin/python -m benchmarks.case_page_render [--turns 50] [--reps 5]
        [--screenshot docs/img/saved-turns.png]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from tests.ui.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LabServer,
    _free_port,
    _lab_command,
    _lab_env,
    _stop,
    _wait_for_status,
    _write_kernelspec,
)
from tests.ui.saved import record_tool_turns, repeated, without_kernel

from .kernels import ROOT

BUDGET_MS = 1000.0
RESULT = ROOT / "benchmarks" / "results" / "page_render.json"

_OPEN_AND_TIME_JS = """
async ([path, turns]) => {
  const app = window.jupyterapp;
  const t0 = performance.now();
  const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  const done = () => {
    const node = widget.node;
    const footers = node.querySelectorAll('.jp-OrchTurn .jp-OrchTurn-footer').length;
    const waiting = node.querySelectorAll(
      '.jp-OrchTurn-answer:empty, .jp-OrchToolCall-arguments:empty').length;
    return footers === turns && waiting === 0;
  };
  while (!done()) {
    await new Promise(resolve => requestAnimationFrame(resolve));
    if (performance.now() - t0 > 30000) throw new Error('not rendered in 30 s');
  }
  const ms = performance.now() - t0;
  await widget.context.sessionContext.shutdown?.();
  widget.dispose();
  return ms;
}
"""


def _settings(settings_dir: Path) -> None:
    notifications = settings_dir / "@jupyterlab" / "apputils-extension"
    notifications.mkdir(parents=True)
    (notifications / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    tracker = settings_dir / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))


def _start(base: Path) -> LabServer:
    import secrets
    import subprocess

    base.mkdir(parents=True, exist_ok=True)
    env = _lab_env(base)
    _write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
    _settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    root = base / "notebooks"
    root.mkdir()
    token, port = secrets.token_hex(16), _free_port()
    log_path = base / "lab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _lab_command(port, token, root), env=env, cwd=root, stdout=log, stderr=log
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log_path, process)
    _wait_for_status(server)
    return server


def _kernel_dialog(page: Page) -> Any:
    return page.locator(".jp-Dialog", has_text="Select Kernel")


def _dismiss_kernel_dialogs(page: Page) -> None:
    # The saved notebooks name a kernel nobody has: choose "No Kernel", as a person would.
    page.add_locator_handler(
        _kernel_dialog(page),
        lambda dialog: dialog.get_by_role("button", name="No Kernel").click(),
    )


def _screenshot(page: Page, server: LabServer, nb: dict[str, Any], path: Path) -> None:
    (server.root_dir / "analysis.ipynb").write_text(json.dumps(without_kernel(nb)))
    page.remove_locator_handler(_kernel_dialog(page))
    page.goto(f"{server.url}/lab/workspaces/shot/tree/analysis.ipynb?token={server.token}")
    _kernel_dialog(page).get_by_role("button", name="No Kernel").click()
    _kernel_dialog(page).wait_for(state="detached")
    turn = page.locator(".jp-OrchTurn").first
    turn.locator("details.jp-OrchToolCall summary").click()
    turn.locator(".jp-OrchTurn-infoToggle").click()
    page.locator(".jp-OrchTurn-info").first.wait_for()
    page.keyboard.press("Control+Shift+d")  # simple mode: the notebook alone
    page.wait_for_timeout(500)  # let the layout settle before the picture
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def measure(turns: int, reps: int, screenshot: Path | None) -> dict[str, Any]:
    """Open the saved notebook ``reps`` times; return the timings in milliseconds."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        recorded = record_tool_turns(base)
        server = _start(base / "lab")
        (server.root_dir / "turns.ipynb").write_text(
            json.dumps(without_kernel(repeated(recorded, turns)))
        )
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                _dismiss_kernel_dialogs(page)
                page.goto(f"{server.url}/lab?token={server.token}")
                page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started")
                page.wait_for_timeout(1000)  # the page's own start-up settles, not timed
                runs = [
                    float(page.evaluate(_OPEN_AND_TIME_JS, ["turns.ipynb", turns]))
                    for _ in range(reps + 1)
                ][1:]  # the first open also loads code: a warm-up
                if screenshot is not None:
                    _screenshot(page, server, repeated(recorded, 2), screenshot)
                browser.close()
        finally:
            server.shutdown_kernels()
            _stop(server.process)
    return {"turns": turns, "runs_ms": runs, "median_ms": statistics.median(runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    result = measure(args.turns, args.reps, args.screenshot)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=1) + "\n")
    runs = ", ".join(f"{ms:.0f}" for ms in result["runs_ms"])
    verdict = "within" if result["median_ms"] <= BUDGET_MS else "OVER"
    print(
        f"page render of a saved {result['turns']}-turn notebook: median "
        f"{result['median_ms']:.0f} ms (runs {runs} ms); budget {BUDGET_MS:.0f} ms: {verdict}"
    )


if __name__ == "__main__":
    main()
