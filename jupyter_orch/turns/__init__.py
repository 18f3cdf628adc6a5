"""Turns: planned as a pure step, then run by the one :class:`TurnRunner` every surface calls."""

from .plan import NO_MODEL, TurnInput, TurnPlan, TurnSettings
from .protocols import HookFactory, Renderer, TurnHook, TurnStart, TurnWrapper, WrapperFactory
from .runner import TurnOutcome, TurnRunner

__all__ = [
    "NO_MODEL",
    "HookFactory",
    "Renderer",
    "TurnHook",
    "TurnInput",
    "TurnOutcome",
    "TurnPlan",
    "TurnRunner",
    "TurnSettings",
    "TurnStart",
    "TurnWrapper",
    "WrapperFactory",
]
