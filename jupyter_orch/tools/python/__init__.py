"""Notebook functions and variables as tools, and the optional ``run_python`` tool.

Names are imported on first use: ``%load_ext`` must not pay for pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "PENDING": "pending",
    "drain_pending": "pending",
    "install_pending": "pending",
    "tool": "decorator",
    "Docstring": "docstrings",
    "parse_docstring": "docstrings",
    "FunctionTool": "functions",
    "format_result": "results",
    "RunPythonTool": "run_python",
    "VariableView": "variables",
    "variable_tools": "variables",
}

__all__ = [
    "PENDING",
    "Docstring",
    "FunctionTool",
    "RunPythonTool",
    "VariableView",
    "drain_pending",
    "format_result",
    "install_pending",
    "parse_docstring",
    "tool",
    "variable_tools",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
