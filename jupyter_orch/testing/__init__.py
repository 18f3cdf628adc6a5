"""Test doubles shipped with the package: a local OpenAI-compatible HTTP server."""
