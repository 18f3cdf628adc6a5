"""Notebook functions and variables as tools, and the optional ``run_python`` tool."""

from .decorator import PENDING, drain_pending, install_pending, tool
from .docstrings import Docstring, parse_docstring
from .functions import FunctionTool
from .results import format_result
from .run_python import RunPythonTool
from .variables import VariableView, variable_tools

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
