"""The LiteLLM provider: any model LiteLLM supports, imported lazily, warmed in the background."""

from .loader import is_loaded, is_warming, load_litellm, warm_in_background
from .provider import LiteLLMProvider

__all__ = ["LiteLLMProvider", "is_loaded", "is_warming", "load_litellm", "warm_in_background"]
