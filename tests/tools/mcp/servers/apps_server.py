"""A small MCP App server on the SDK's ``mcp.server.apps``: a counter drawn by its own app.

- ``show_counter(start)``: the model's tool; its app (``ui://counter/app.html``) shows the
  count, and its result's ``structuredContent`` is ``{"count": start}``.
- ``bump(count)``: for the app only (visibility ``["app"]``), never offered to the model;
  ``say_count(count)`` is the model's only (visibility ``["model"]``), refused to the app.
- the app's resource declares CSP domains (one of them malformed, which a host must drop)
  and asks for a border.

The app speaks the Apps protocol by hand (JSON-RPC over ``postMessage``, no SDK), so the
host is tested against the wire format itself. It shows what it received (the host's name,
the tool's input and result), the Content-Security-Policy it runs under, and each request
that the policy blocked; its buttons call ``bump``, open a link, and grow the page (the
host must follow ``size-changed``). Teardown requests are answered.

Run: ``python apps_server.py`` (stdio).
"""

from __future__ import annotations

import sys

import mcp_types as types
from mcp.server.apps import Apps, ResourceCsp
from mcp.server.mcpserver import MCPServer

URI = "ui://counter/app.html"
LINK = "https://example.com/docs?from=counter"

HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Counter</title>
<style>
  body { font-family: sans-serif; margin: 8px; }
  .row { margin: 4px 0; }
  #log div { padding: 2px 0; }
</style>
</head>
<body>
<div class="row">Host: <span id="host">?</span></div>
<div class="row">Input: <code id="input">?</code></div>
<div class="row">Count: <b id="count">?</b></div>
<div class="row">
  <button id="bump">Add one</button>
  <button id="link">Open the docs</button>
  <button id="grow">Grow</button>
</div>
<div class="row">Link: <span id="linked">not asked</span></div>
<div class="row">Blocked: <span id="blocked"></span></div>
<div class="row">Policy: <code id="csp"></code></div>
<div id="log"></div>
<script>
(() => {
  let next = 1;
  const waiting = new Map();
  let count = null;
  const $ = (id) => document.getElementById(id);
  const post = (message) => window.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
  const request = (method, params) => new Promise((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    post({ id, method, params });
  });
  const notify = (method, params) => post({ method, params });
  const size = () => notify("ui/notifications/size-changed", {
    height: Math.ceil(document.documentElement.getBoundingClientRect().height)
  });
  const note = (text) => {
    const line = document.createElement("div");
    line.textContent = text;
    $("log").appendChild(line);
    size();
  };
  document.addEventListener("securitypolicyviolation", (event) => {
    $("blocked").textContent += event.blockedURI + " ";
  });
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const message = event.data || {};
    if (message.id !== undefined && waiting.has(message.id)) {
      const resolve = waiting.get(message.id);
      waiting.delete(message.id);
      resolve(message);
      return;
    }
    if (message.method === "ui/notifications/tool-input") {
      $("input").textContent = JSON.stringify(message.params.arguments);
    } else if (message.method === "ui/notifications/tool-result") {
      count = (message.params.structuredContent || {}).count;
      $("count").textContent = String(count);
      size();
    } else if (message.method === "ui/resource-teardown") {
      post({ id: message.id, result: {} });
    } else if (message.id !== undefined) {
      post({ id: message.id, error: { code: -32601, message: "unknown method" } });
    }
  });
  $("bump").addEventListener("click", async () => {
    const answer = await request("tools/call", { name: "bump", arguments: { count } });
    if (answer.error) {
      note("refused: " + answer.error.message);
    } else if (answer.result.isError) {
      note("rejected: " + answer.result.content[0].text);
    } else {
      count = answer.result.structuredContent.count;
      $("count").textContent = String(count);
      note("bumped to " + count);
    }
  });
  $("link").addEventListener("click", async () => {
    const answer = await request("ui/open-link", { url: "__LINK__" });
    $("linked").textContent = answer.error || (answer.result || {}).isError ? "refused" : "opened";
  });
  $("grow").addEventListener("click", () => {
    for (let i = 0; i < 10; i++) note("line " + i);
  });
  const policy = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  $("csp").textContent = policy ? policy.content : "none";
  request("ui/initialize", {
    appInfo: { name: "counter", version: "1.0" },
    appCapabilities: {},
    protocolVersion: "2026-01-26"
  }).then((answer) => {
    $("host").textContent = answer.result.hostInfo.name;
    notify("ui/notifications/initialized", {});
    size();
    fetch("https://undeclared.example/probe").catch(() => {});
  });
})();
</script>
</body>
</html>
""".replace("__LINK__", LINK)

apps = Apps()


@apps.tool(resource_uri=URI, title="Counter", description="Show a counter, starting at start.")
def show_counter(start: int = 0) -> types.CallToolResult:
    """Show the counter's app."""
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"The counter starts at {start}.")],
        structured_content={"count": start},
    )


@apps.tool(resource_uri=URI, visibility=["app"], description="Add one to the count.")
def bump(count: int) -> types.CallToolResult:
    """Add one (for the app only)."""
    sys.stderr.write(f"apps_server: bump {count}\n")
    sys.stderr.flush()
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"The count is {count + 1}.")],
        structured_content={"count": count + 1},
    )


@apps.tool(resource_uri=URI, visibility=["model"], description="Say the count in words.")
def say_count(count: int) -> str:
    """For the model only: an app may not call it."""
    return f"the count is {count}"


apps.add_html_resource(
    URI,
    HTML,
    csp=ResourceCsp(
        connect_domains=["https://api.example.com", "evil.example; script-src *"],
        resource_domains=["https://cdn.example.com"],
    ),
    prefers_border=True,
)

server = MCPServer("counter", extensions=[apps])

if __name__ == "__main__":
    server.run()
