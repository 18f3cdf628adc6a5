"""A server's content is shown only as raster image data, never as markup."""

from __future__ import annotations

import base64

import pytest
from mcp_types import BlobResourceContents, CallToolResult, EmbeddedResource, ImageContent

from jupyter_orch.tools.mcp.tools import to_tool_result

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
SVG = base64.b64encode(b"<svg onload='alert(1)'/>").decode()


@pytest.mark.parametrize(
    "mime", ["image/svg+xml", "text/html", "text/markdown", "application/javascript", "image/x"]
)
def test_a_non_raster_image_is_described_and_never_displayed(mime: str) -> None:
    result = to_tool_result(CallToolResult(content=[ImageContent(data=SVG, mime_type=mime)]))
    assert result.display == ()
    assert result.content == f"[image: {mime}, 24 bytes, not shown]"


def test_an_embedded_svg_resource_is_described_and_never_displayed() -> None:
    blob = BlobResourceContents(uri="mem://s", blob=SVG, mime_type="image/svg+xml")
    result = to_tool_result(CallToolResult(content=[EmbeddedResource(resource=blob)]))
    assert result.display == ()
    assert result.content == "[binary resource mem://s (image/svg+xml), 24 bytes]"


def test_image_data_that_is_not_base64_is_never_displayed() -> None:
    bad = PNG + '" onerror="alert(1)'
    result = to_tool_result(CallToolResult(content=[ImageContent(data=bad, mime_type="image/png")]))
    assert result.display == ()


@pytest.mark.parametrize(
    "mime", ["image/png", "image/jpeg", "image/gif", "image/webp", "IMAGE/PNG"]
)
def test_raster_images_are_displayed_as_image_data(mime: str) -> None:
    result = to_tool_result(CallToolResult(content=[ImageContent(data=PNG, mime_type=mime)]))
    assert result.display == ({mime.lower(): PNG},)
