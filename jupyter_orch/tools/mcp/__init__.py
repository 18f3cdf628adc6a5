"""MCP servers mounted into the orchestrator, through the official ``mcp`` SDK (2.x).

Every import of the SDK lives in this package. Importing the package itself costs nothing:
the SDK (about a second to import) loads only when :mod:`.mounts` is first used.

- :mod:`.config`: both config formats and ``${VAR}`` expansion (no SDK import).
- :mod:`.server`: one mounted server and its owner task.
- :mod:`.mounts`: many servers, started together, published into a session.
- :mod:`.tools`, :mod:`.content`: MCP tools and results as ours.
"""
