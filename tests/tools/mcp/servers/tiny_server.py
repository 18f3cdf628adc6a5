"""A tiny MCP server over stdio that misbehaves on request (standard library only).

It speaks just enough JSON-RPC for a client to mount it, so it starts in a few
milliseconds. Flags choose how it starts; its tools choose how a call goes:

- ``echo``: answers; ``crash``: the process exits in the middle of the call;
  ``hang``: never answers; ``env``: returns the names of its environment variables;
  ``grow``: adds the tool ``late`` and sends ``notifications/tools/list_changed``.

Flags: ``--delay-start S`` (sleep before serving), ``--exit-at-start CODE`` (write to
stderr and exit), ``--hang-on-init`` (never answer the handshake), ``--name NAME``,
``--instructions TEXT``, ``--tool NAME`` (expose only the named tools; repeatable),
``--garbage-at-start`` (print lines that are not JSON-RPC before serving).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

TOOLS = {
    "echo": "Echo the message back.",
    "crash": "Exit the server process in the middle of the call.",
    "hang": "Never answer.",
    "env": "Return the names of the server's environment variables.",
    "grow": "Add the tool 'late' and tell the client that the tool list changed.",
    "shapeless": "Return structured content that does not match the tool's output schema.",
    "garbage": "Print a line that is not JSON-RPC on stdout, then answer.",
}
GROWN: list[str] = []


def _schema(name: str) -> dict[str, object]:
    if name in ("echo", "late"):
        return {
            "type": "object",
            "properties": {"message": {"type": "string"}},
            "required": ["message"],
        }
    return {"type": "object", "properties": {}}


def _send(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _call(name: str, arguments: dict[str, object]) -> dict[str, object] | None:
    if name == "crash":
        sys.stderr.write("tiny_server: crashing in the middle of a call\n")
        sys.stderr.flush()
        os._exit(3)
    if name == "hang":
        sys.stderr.write("tiny_server: hanging on this call\n")
        sys.stderr.flush()
        return None
    if name == "shapeless":
        return {"content": [], "structuredContent": {"temperature": "hot"}, "isError": False}
    if name == "garbage":
        sys.stdout.write("this is not JSON-RPC\n")
        sys.stdout.flush()
    if name == "grow":
        GROWN.append("late")
        _send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        text = "grown"
    elif name == "env":
        text = "\n".join(sorted(os.environ))
    else:
        text = f"Echo: {arguments.get('message', '')}"
    return {"content": [{"type": "text", "text": text}], "isError": False}


def _answer(request: dict[str, object], opts: argparse.Namespace) -> dict[str, object] | None:
    method = request.get("method")
    params = request.get("params") or {}
    assert isinstance(params, dict)
    if method == "initialize":
        if opts.hang_on_init:
            return None
        return {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {"listChanged": True}},
            "serverInfo": {"name": opts.name, "version": "0.1"},
            "instructions": opts.instructions,
        }
    if method == "ping":
        return {}
    if method == "tools/list":
        names = (opts.tool or list(TOOLS)) + GROWN
        tools = [
            {"name": n, "description": TOOLS.get(n, "Echo, added late."), "inputSchema": _schema(n)}
            for n in names
        ]
        for tool in tools:
            if tool["name"] == "shapeless":
                tool["outputSchema"] = {
                    "type": "object",
                    "properties": {"temperature": {"type": "number"}},
                    "required": ["temperature"],
                }
        return {"tools": tools}
    if method == "tools/call":
        return _call(str(params.get("name")), dict(params.get("arguments") or {}))
    return {"__error__": {"code": -32601, "message": f"method not found: {method}"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-start", type=float, default=0.0)
    parser.add_argument("--exit-at-start", type=int, default=None)
    parser.add_argument("--hang-on-init", action="store_true")
    parser.add_argument("--name", default="tiny")
    parser.add_argument("--instructions", default="")
    parser.add_argument("--tool", action="append", choices=sorted(TOOLS))
    parser.add_argument("--garbage-at-start", action="store_true")
    opts = parser.parse_args()
    if opts.garbage_at_start:
        sys.stdout.write("Starting up...\n{not json\n")
        sys.stdout.flush()
    sys.stderr.write(f"tiny_server {opts.name}: starting\n")
    sys.stderr.flush()
    if opts.exit_at_start is not None:
        sys.stderr.write(
            f"tiny_server {opts.name}: fatal: cannot start (exit {opts.exit_at_start})\n"
        )
        sys.exit(opts.exit_at_start)
    time.sleep(opts.delay_start)
    for line in sys.stdin:
        request = json.loads(line)
        if "id" not in request:
            if request.get("method") == "notifications/cancelled":
                sys.stderr.write(f"tiny_server: cancelled {request['params']['requestId']}\n")
                sys.stderr.flush()
            continue  # a notification
        result = _answer(request, opts)
        if result is None:
            continue
        error = result.pop("__error__", None)
        if error is not None:
            _send({"jsonrpc": "2.0", "id": request["id"], "error": error})
        else:
            _send({"jsonrpc": "2.0", "id": request["id"], "result": result})


if __name__ == "__main__":
    main()
