"""Adapters that turn notebook functions, variables and MCP servers into tools."""
