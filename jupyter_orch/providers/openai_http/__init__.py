"""``openai/...`` models over HTTP without litellm (the first turns after ``%load_ext``)."""

from .provider import OpenAIHTTPProvider, eligible

__all__ = ["OpenAIHTTPProvider", "eligible"]
