"""MCP content blocks turned into our content parts, display bundles and text.

Text stays text; images become ``image_url`` parts (for models that take them) and
``image/*`` display bundles (for the cell); embedded resources are inlined when they are
text or images and described otherwise; audio and resource links are described.

A server is untrusted: only raster images (PNG, JPEG, GIF, WebP) with valid base64 data are
ever shown. SVG, HTML, Markdown or anything else it labels as an image is described as text,
so nothing a server sends is rendered as markup in the page.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from mcp_types import (
    AudioContent,
    BlobResourceContents,
    EmbeddedResource,
    GetPromptResult,
    ImageContent,
    ReadResourceResult,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from ...core.messages import ContentPart, Message

ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource
ResourceContents = TextResourceContents | BlobResourceContents

DISPLAYED_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""The only MIME types a server's content is displayed as (SVG can carry script)."""
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@dataclass
class Converted:
    """Content parts for the model and MIME bundles for the cell."""

    parts: list[ContentPart] = field(default_factory=list)
    display: list[dict[str, Any]] = field(default_factory=list)

    def add_text(self, text: str) -> None:
        """Append a text part."""
        self.parts.append(text_part(text))

    def add_image(self, mime: str, data: str) -> None:
        """Append an image part and its display bundle (``data`` is base64).

        Anything but a raster image with valid base64 data is described as text instead.
        """
        mime = mime.strip().lower()
        compact = "".join(data.split())
        if mime not in DISPLAYED_IMAGES or not _BASE64.fullmatch(compact):
            kind = mime if re.fullmatch(r"[\w.+/-]{1,100}", mime) else "unknown type"
            self.add_text(f"[image: {kind}, {_decoded_size(data)} bytes, not shown]")
            return
        self.parts.append(image_part(mime, compact))
        self.display.append({mime: compact})

    def content(self) -> str | list[ContentPart]:
        """Return one string when every part is text, else the list of parts."""
        if all(p["type"] == "text" for p in self.parts):
            return "\n".join(str(p["text"]) for p in self.parts)
        return self.parts


def text_part(text: str) -> ContentPart:
    """Return an OpenAI-style text part."""
    return {"type": "text", "text": text}


def image_part(mime: str, data: str) -> ContentPart:
    """Return an OpenAI-style image part from base64 ``data``."""
    return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}


def convert_blocks(blocks: list[Any]) -> Converted:
    """Convert a tool result's or a prompt message's content blocks."""
    out = Converted()
    for block in blocks:
        add_block(out, block)
    return out


def add_block(out: Converted, block: Any) -> None:
    """Add one content block to ``out``."""
    if isinstance(block, TextContent):
        out.add_text(block.text)
    elif isinstance(block, ImageContent):
        out.add_image(block.mime_type, block.data)
    elif isinstance(block, AudioContent):
        out.add_text(f"[audio: {block.mime_type}, {_decoded_size(block.data)} bytes, not shown]")
    elif isinstance(block, EmbeddedResource):
        add_resource(out, block.resource)
    elif isinstance(block, ResourceLink):
        mime = f", {block.mime_type}" if block.mime_type else ""
        about = f": {block.description}" if block.description else ""
        out.add_text(f"[resource link: {block.name} <{block.uri}>{mime}{about}]")
    else:
        out.add_text(f"[unsupported content: {getattr(block, 'type', type(block).__name__)}]")


def add_resource(out: Converted, contents: ResourceContents) -> None:
    """Add a resource's contents: text inline, images as images, other bytes described."""
    mime = contents.mime_type or ""
    if isinstance(contents, TextResourceContents):
        kind = f" ({mime})" if mime else ""
        out.add_text(f"Resource {contents.uri}{kind}:\n{contents.text}")
    elif mime.strip().lower() in DISPLAYED_IMAGES:
        out.add_text(f"Resource {contents.uri} ({mime}):")
        out.add_image(mime, contents.blob)
    else:
        size = _decoded_size(contents.blob)
        out.add_text(f"[binary resource {contents.uri} ({mime or 'unknown type'}), {size} bytes]")


def resource_parts(result: ReadResourceResult) -> list[ContentPart]:
    """Return a read resource as parts to attach to the next user message."""
    out = Converted()
    for contents in result.contents:
        add_resource(out, contents)
    return out.parts


def prompt_messages(result: GetPromptResult) -> list[Message]:
    """Return a prompt's messages as thread messages.

    Assistant messages keep only text (providers take images from the user alone).
    """
    messages = []
    for message in result.messages:
        out = Converted()
        add_block(out, message.content)
        if message.role == "assistant":
            text = "\n".join(str(p.get("text", "")) for p in out.parts if p["type"] == "text")
            messages.append(Message("assistant", text))
        else:
            messages.append(Message("user", out.content()))
    return messages


def _decoded_size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=False))
    except (binascii.Error, ValueError):
        return len(data) * 3 // 4
