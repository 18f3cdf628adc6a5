"""``JupyterOrch``: the configurable behind ``%config JupyterOrch.*`` and ipython_config.py."""

from __future__ import annotations

import os

from traitlets import Bool, CaselessStrEnum, Dict, Float, Int, List, Unicode, default
from traitlets.config import Configurable


class JupyterOrch(Configurable):  # type: ignore[misc]  # traitlets ships no type information
    """Settings of the jupyter-orch extension.

    Set them with ``%config JupyterOrch.model = "openai/gpt-4o-mini"`` or in
    ``ipython_config.py`` as ``c.JupyterOrch.model = ...``.
    """

    model = Unicode(
        "",
        help="Default model, a LiteLLM name such as openai/gpt-4o-mini (env JUPYTER_ORCH_MODEL).",
    ).tag(config=True)
    system = Unicode("", help="System prompt of new threads.").tag(config=True)
    params = Dict(
        help="Parameters passed to every model call (temperature, max_tokens, api_base, ...)."
    ).tag(config=True)
    format = CaselessStrEnum(
        ["markdown", "text"],
        "markdown",
        help="How answers are shown: rendered Markdown or plain text.",
    ).tag(config=True)
    update_hz = Float(20.0, help="At most this many display updates a second while streaming.").tag(
        config=True
    )
    timeout = Float(120.0, help="Seconds to wait for the model before giving up.").tag(config=True)
    max_retries = Int(2, help="Retries after a rate limit (429) or server error (5xx).").tag(
        config=True
    )
    retry_backoff = Float(1.0, help="Seconds before the first retry; doubled each time.").tag(
        config=True
    )
    context_window = Int(
        0, help="Input window in tokens for trimming; 0 asks LiteLLM's model table."
    ).tag(config=True)
    max_rounds = Int(25, help="Model calls per turn at most (tool rounds).").tag(config=True)
    tool_timeout = Float(60.0, help="Seconds a tool may run.").tag(config=True)
    approval_ttl = Float(
        600.0, help="Seconds an approval request waits before it counts as rejected."
    ).tag(config=True)
    default_policy = CaselessStrEnum(
        ["auto", "ask", "deny"], "ask", help="Policy of tools with no policy of their own."
    ).tag(config=True)
    approval = CaselessStrEnum(
        ["detect", "widget", "text", "headless"],
        "detect",
        help="How 'ask' tools are decided: buttons in the cell, a text prompt, or the headless "
        "policy. 'detect' uses the headless policy when the frontend cannot answer (nbclient, "
        "papermill, nbconvert send allow_stdin=False), a text prompt in terminal IPython, "
        "and buttons otherwise.",
    ).tag(config=True)
    headless_approve = Bool(
        False, help="In headless runs, approve every 'ask' tool (default: reject them)."
    ).tag(config=True)
    headless_allow = List(Unicode(), help="Tools (or sources) approved in headless runs.").tag(
        config=True
    )
    mcp_config = List(
        Unicode(),
        help="MCP config files ({'mcpServers': ...} or VS Code's {'servers': ...}) whose servers "
        "are mounted at the first %%chat or %mcp of the session (never at %load_ext).",
    ).tag(config=True)
    route = CaselessStrEnum(
        ["auto", "litellm", "openai-http"],
        "auto",
        help="Which provider serves openai/... models: 'auto' streams them directly over HTTP "
        "until LiteLLM has been imported (so the first %%chat after %load_ext does not wait "
        "seconds for that import), then through LiteLLM; 'litellm' or 'openai-http' always.",
    ).tag(config=True)
    approvals_path = Unicode(
        "",
        help="Where the tools you chose to 'always allow' are remembered (a JSON file only you "
        "can read); empty for <Jupyter data dir>/jupyter-orch/approvals.json.",
    ).tag(config=True)
    mcp_start_timeout = Float(
        30.0, help="Seconds an MCP server may take to start and list its tools."
    ).tag(config=True)
    mcp_roots = List(
        Unicode(),
        help="Folders offered to MCP servers that ask for roots (default: the notebook's folder).",
    ).tag(config=True)
    mcp_log_level = CaselessStrEnum(
        ["", "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"],
        "info",
        help="The least severe log messages asked of MCP servers (shown by %mcp log); "
        "'' leaves it to each server.",
    ).tag(config=True)
    warm = Bool(True, help="Import LiteLLM in a background thread after %load_ext.").tag(
        config=True
    )
    record_transcripts = Bool(
        True, help="Append every turn to the JSONL transcript store as it happens."
    ).tag(config=True)
    transcript_path = Unicode(
        "",
        help="Where the JSONL transcript store goes: empty for "
        "<notebook folder>/.jupyter-orch/<notebook name>.jsonl (the kernel's working folder and "
        "transcript.jsonl when the notebook is unknown), a folder, or a .jsonl file.",
    ).tag(config=True)
    redact_patterns = List(
        Unicode(),
        help="Extra regular expressions to redact from outputs, the store and exports (the "
        "whole match, or its group named 'secret').",
    ).tag(config=True)
    replay = Unicode(
        "",
        help="Answer from this recording (a JSONL store or an .ipynb) instead of the model "
        "(env JUPYTER_ORCH_REPLAY); empty: live.",
    ).tag(config=True)
    replay_live = Bool(
        False, help="During replay, call the model when a request differs from the recording."
    ).tag(config=True)
    replay_mcp = CaselessStrEnum(
        ["recorded", "live"], "recorded", help="During replay, where MCP tools' results come from."
    ).tag(config=True)
    replay_notebook_tools = CaselessStrEnum(
        ["live", "recorded"],
        "live",
        help="During replay, whether notebook tools run again (live) or return their recorded "
        "results.",
    ).tag(config=True)

    @default("model")
    def _default_model(self) -> str:
        return os.environ.get("JUPYTER_ORCH_MODEL", "")

    @default("replay")
    def _default_replay(self) -> str:
        return os.environ.get("JUPYTER_ORCH_REPLAY", "")
