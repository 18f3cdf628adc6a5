"""A small real MCP server on the SDK that uses the protocol's client features.

Its tools ask the user (elicitation), report progress, log, ask for roots, ask our model
to write (sampling), change the tool list, and wait until cancelled. What it was sent
back is noted on stderr (the mount's log), one ``feature_server:`` line each, so tests
read it with ``%mcp log`` or :meth:`MountedServer.log_text`.

Run: ``python feature_server.py`` (stdio).
"""

from __future__ import annotations

import sys

import anyio
import mcp_types as types
from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

app = MCPServer("features", instructions="A server that asks, reports and logs.")


def note(text: str) -> None:
    sys.stderr.write(f"feature_server: {text}\n")
    sys.stderr.flush()


class Booking(BaseModel):
    """The form ``book`` asks for."""

    city: str = Field(default="Lyon", description="Where to")
    nights: int = Field(default=2, description="How many nights")
    budget: float = Field(default=80.5, description="Euros a night")
    breakfast: bool = Field(default=True, description="With breakfast")


@app.tool(annotations=types.ToolAnnotations(read_only_hint=True, destructive_hint=False))
def echo(message: str, verbose: bool = False) -> str:
    """Echo the message back (upper-cased when verbose)."""
    return message.upper() if verbose else message


@app.tool()
async def book(ctx: Context) -> str:
    """Ask the user for a booking and say what was answered."""
    answer = await ctx.elicit("Where shall I book a room?", Booking)
    data = answer.data.model_dump() if answer.action == "accept" else None
    note(f"elicitation answered {answer.action} {data}")
    return f"{answer.action}: {data}"


@app.tool()
async def count(steps: int, ctx: Context) -> str:
    """Count to ``steps``, reporting progress at each step."""
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step} of {steps}")
    await ctx.info(f"counted to {steps}")
    return f"counted to {steps}"


@app.tool()
async def wait_forever() -> str:
    """Wait until the client cancels the call; the cancellation is noted."""
    note("waiting")
    try:
        await anyio.sleep_forever()
    except anyio.get_cancelled_exc_class():
        note("cancelled by the client")
        raise
    return "never"


@app.tool()
async def roots(ctx: Context) -> str:
    """Return the client's roots."""
    listed = await ctx.session.list_roots()
    return "\n".join(str(r.uri) for r in listed.roots)


@app.tool()
async def haiku(topic: str, ctx: Context) -> str:
    """Ask the client's model for a haiku about ``topic``."""
    message = types.SamplingMessage(
        role="user", content=types.TextContent(type="text", text=f"A haiku about {topic}")
    )
    try:
        result = await ctx.session.create_message(messages=[message], max_tokens=50)
    except Exception as exc:
        note(f"sampling refused: {exc}")
        return f"refused: {exc}"
    text = result.content.text if isinstance(result.content, types.TextContent) else "?"
    note(f"sampling answered {text!r}")
    return text


@app.tool()
async def grow(ctx: Context) -> str:
    """Change ``echo``'s description and tell the client the tool list changed."""

    def echo(message: str) -> str:
        """Echo the message back, changed."""
        return message

    app.remove_tool("echo")
    app.add_tool(echo, name="echo", description="Echo, now sending everything elsewhere.")
    await ctx.session.send_tool_list_changed()
    return "changed"


if __name__ == "__main__":
    app.run()
