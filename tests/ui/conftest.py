"""Real JupyterLab in Debian's Chromium, driven by Playwright (DESIGN.md section 7).

One JupyterLab server per session (temp config, data, runtime, settings and IPython dirs; a
kernelspec that runs this test process's Python) and one Chromium; each test gets a fresh
browser context and opens its own notebook through the :class:`Lab` helper. Waits are on
selectors, text or the kernel state read from ``window.jupyterapp``, always with a deadline.
Screenshots go to ``artifacts/ui/`` (a failing test leaves one named ``*-failure.png``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_DEADLINE = 60.0
KERNEL_READY_DEADLINE_MS = 60_000
DEFAULT_DEADLINE_MS = 30_000
KERNEL_NAME = "jupyter-orch-tests"
KERNEL_DISPLAY_NAME = "Python (jupyter-orch tests)"

# The kernel state as JupyterLab itself sees it. The execution indicator says "idle" before a
# kernel exists (cells run then are dropped), so wait for a connected kernel that reports idle.
_KERNEL_READY_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return false;
  const panel = Array.from(app.shell.widgets('main')).find(
    (w) => w.context && w.context.path === path);
  const ctx = panel && panel.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return !!(ctx && ctx.isReady && kernel && kernel.connectionStatus === 'connected'
            && kernel.status === 'idle');
}
"""
_KERNEL_NAME_JS = """
(path) => {
  const panel = Array.from(window.jupyterapp.shell.widgets('main')).find(
    (w) => w.context && w.context.path === path);
  return panel.sessionContext.session.kernel.name;
}
"""
_REPORT_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the item, so the page fixture knows whether to screenshot.
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORT_KEY, {})[report.when] = report
    return report


@dataclass
class LabServer:
    """A running JupyterLab server: its base URL, token, root folder and log file."""

    url: str
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def api(self, method: str, path: str) -> Any:
        """Call the REST API and return the decoded JSON body (``None`` when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Delete every session, so finished tests leave no kernel using the 2 CPU cores."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log, for failure messages."""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_kernelspec(data_dir: Path) -> None:
    # A spec of our own name: the kernel must be the Python that runs the tests, and in a venv
    # jupyter_core looks in the venv's kernels before JUPYTER_DATA_DIR, so a "python3" here
    # would be shadowed.
    spec_dir = data_dir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))


def _write_lab_settings(settings_dir: Path) -> None:
    # The news toast ("Would you like to receive official Jupyter news?") covers the page.
    plugin_dir = settings_dir / "@jupyterlab" / "apputils-extension"
    plugin_dir.mkdir(parents=True)
    settings = {"fetchNews": "false", "checkForUpdates": False}
    (plugin_dir / "notification.jupyterlab-settings").write_text(json.dumps(settings))


def _lab_env(base: Path) -> dict[str, str]:
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": base / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
        "IPYTHONDIR": base / "ipython",
    }
    for folder in dirs.values():
        folder.mkdir(exist_ok=True)
    env = {**os.environ, **{name: str(folder) for name, folder in dirs.items()}}
    # The kernels inherit this: litellm must not fetch its price list, and 127.0.0.1 must
    # never go through a proxy.
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _lab_command(port: int, token: str, root_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # window.jupyterapp: the only reliable view of the kernel's state.
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",  # the same view in Notebook 7
    ]


def _wait_for_status(server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_DEADLINE
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            server.api("GET", "/api/status")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)  # polling interval, not synchronisation: the deadline bounds it
    raise RuntimeError(
        f"jupyter lab did not answer /api/status in {SERVER_START_DEADLINE:.0f}s:\n"
        f"{server.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # SIGTERM: the server shuts its kernels down first
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Start JupyterLab on 127.0.0.1 (a free port, a token) and stop it after the session."""
    started = time.perf_counter()
    base = tmp_path_factory.mktemp("jupyterlab")
    env = _lab_env(base)
    _write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
    _write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    root_dir = base / "notebooks"
    root_dir.mkdir()
    token = secrets.token_hex(16)
    log_path = base / "jupyterlab.log"
    port = _free_port()
    log: IO[bytes]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _lab_command(port, token, root_dir),
            env=env,
            cwd=root_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path, process)
    try:
        _wait_for_status(server)
        print(f"\njupyter lab up in {time.perf_counter() - started:.1f}s at {server.url}")
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched headless by Playwright (never ``playwright install``)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/install-browser.sh as root", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _notebook_json(cells: list[str]) -> dict[str, Any]:
    # nbformat 4.5: code cells with ids, run by our own kernelspec.
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell-{index}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for index, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {
                "name": KERNEL_NAME,
                "display_name": KERNEL_DISPLAY_NAME,
                "language": "python",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


class Notebook:
    """One open notebook in the page: run cells, wait for their output, take screenshots."""

    def __init__(self, lab: Lab, path: str) -> None:
        self.lab = lab
        self.page = lab.page
        self.path = path
        self.panel = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.cells = self.panel.locator(".jp-Notebook .jp-Cell")

    def cell(self, index: int) -> Locator:
        """The cell at ``index`` (0-based)."""
        return self.cells.nth(index)

    def output(self, index: int) -> Locator:
        """The output area of the cell at ``index``."""
        return self.cell(index).locator(".jp-OutputArea")

    def wait_until_kernel_idle(self, timeout_ms: int = KERNEL_READY_DEADLINE_MS) -> None:
        """Wait until the notebook's kernel is connected, ready and idle.

        Only for "the kernel has started": while a ``%%chat`` cell awaits a click, the kernel
        reports idle between messages, so a running cell is seen with
        :meth:`wait_until_executed` instead.
        """
        try:
            self.page.wait_for_function(_KERNEL_READY_JS, arg=self.path, timeout=timeout_ms)
        except PlaywrightTimeoutError:
            pytest.fail(
                f"no idle kernel for {self.path} in {timeout_ms / 1000:.0f}s; server log:\n"
                f"{self.lab.server.log_tail()}",
                pytrace=False,
            )
        kernel_name = self.page.evaluate(_KERNEL_NAME_JS, self.path)
        if kernel_name != KERNEL_NAME:
            pytest.fail(f"{self.path} runs kernel {kernel_name!r}, not {KERNEL_NAME!r}")

    def run_cell(self, index: int) -> Locator:
        """Run one cell the way a user does: click its editor, press Shift+Enter."""
        cell = self.cell(index)
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")
        return cell

    def wait_until_executed(self, index: int, timeout_ms: int = DEFAULT_DEADLINE_MS) -> int:
        """Wait until the cell's prompt shows an execution count; return that count."""
        prompt = self.cell(index).locator(".jp-InputPrompt")
        expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=timeout_ms)
        return int(re.sub(r"\D", "", prompt.inner_text()))

    def wait_for_output(
        self, index: int, text: str | re.Pattern[str], timeout_ms: int = DEFAULT_DEADLINE_MS
    ) -> Locator:
        """Wait until the cell's output contains ``text``; return the output area."""
        output = self.output(index)
        expect(output).to_contain_text(text, timeout=timeout_ms)
        return output

    def assert_no_error(self, index: int) -> None:
        """Fail, quoting the cell's whole output, if the output holds an error."""
        output = self.output(index)
        if output.locator('[data-mime-type="application/vnd.jupyter.error"]').count():
            pytest.fail(f"cell {index} failed:\n{output.inner_text()}", pytrace=False)

    def screenshot(self, step: str) -> Path:
        """Save a screenshot of the page as ``artifacts/ui/<test>-<step>.png``."""
        return self.lab.screenshot(step)


class Lab:
    """The JupyterLab page of one test."""

    def __init__(self, server: LabServer, page: Page, test_name: str) -> None:
        self.server = server
        self.page = page
        self.test_name = re.sub(r"[^\w.-]+", "_", test_name)

    def open_notebook(self, name: str, cells: list[str], *, app: str = "lab") -> Notebook:
        """Write a notebook of code ``cells`` to the root folder, open it, wait for its kernel.

        A fresh workspace per notebook keeps a previous test's tabs (and kernels) closed.
        ``app="notebooks"`` opens it in Notebook 7 instead of JupyterLab.
        """
        (self.server.root_dir / name).write_text(json.dumps(_notebook_json(cells), indent=1))
        workspace = f"{self.test_name}-{secrets.token_hex(4)}"
        url = (
            f"{self.server.url}/lab/workspaces/{workspace}/tree/{name}"
            if app == "lab"
            else f"{self.server.url}/notebooks/{name}"
        )
        self.page.goto(f"{url}?token={self.server.token}")
        opened = Notebook(self, name)
        expect(opened.cells).to_have_count(len(cells), timeout=KERNEL_READY_DEADLINE_MS)
        opened.wait_until_kernel_idle()
        return opened

    def open_saved(self, name: str, notebook: dict[str, Any], *, app: str = "lab") -> Locator:
        """Open a saved notebook whose kernel nobody has and choose "No Kernel", as a person
        does when JupyterLab asks; return its cells. ``app`` is ``lab`` or ``notebooks``
        (Notebook 7)."""
        (self.server.root_dir / name).write_text(json.dumps(notebook, indent=1))
        if app == "lab":
            workspace = f"{self.test_name}-{secrets.token_hex(4)}"
            url = f"{self.server.url}/lab/workspaces/{workspace}/tree/{name}"
        else:
            url = f"{self.server.url}/notebooks/{name}"
        self.page.goto(f"{url}?token={self.server.token}")
        dialog = self.page.locator(".jp-Dialog")
        expect(dialog).to_contain_text("Select Kernel", timeout=KERNEL_READY_DEADLINE_MS)
        dialog.get_by_role("button", name="No Kernel").click()
        expect(dialog).to_have_count(0)
        cells = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        expect(cells).to_have_count(len(notebook["cells"]), timeout=KERNEL_READY_DEADLINE_MS)
        return cells

    def screenshot(self, step: str) -> Path:
        """Save a screenshot of the page as ``artifacts/ui/<test>-<step>.png``."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.test_name}-{step}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def lab(lab_server: LabServer, browser: Browser, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """A fresh browser context on the lab server; screenshots and logs the page on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(DEFAULT_DEADLINE_MS)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    this = Lab(lab_server, page, request.node.name)
    try:
        yield this
    finally:
        reports = request.node.stash.get(_REPORT_KEY, {})
        if any(report.failed for report in reports.values()):
            this.screenshot("failure")
            (ARTIFACTS / f"{this.test_name}-console.log").write_text("\n".join(console))
        context.close()
        lab_server.shutdown_kernels()
