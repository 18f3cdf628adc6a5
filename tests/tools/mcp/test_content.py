"""MCP results and prompt messages turned into ours (no server needed)."""

from __future__ import annotations

import base64

from mcp_types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    GetPromptResult,
    ImageContent,
    PromptMessage,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from jupyter_orch.core.messages import Message, ToolResult
from jupyter_orch.tools.mcp.content import prompt_messages
from jupyter_orch.tools.mcp.tools import to_tool_result, tool_name

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
WAV = base64.b64encode(b"RIFF" + bytes(96)).decode()


def test_text_only_results_become_one_string() -> None:
    result = CallToolResult(content=[TextContent(text="a"), TextContent(text="b")])
    assert to_tool_result(result) == ToolResult(content="a\nb")


def test_every_kind_of_content_reaches_the_model_and_images_the_cell() -> None:
    result = CallToolResult(
        content=[
            TextContent(text="see"),
            ImageContent(data=PNG, mime_type="image/png"),
            AudioContent(data=WAV, mime_type="audio/wav"),
            ResourceLink(name="notes", uri="file:///notes.md", mime_type="text/markdown"),
            EmbeddedResource(
                resource=TextResourceContents(uri="mem://a", text="inline", mime_type="text/plain")
            ),
            EmbeddedResource(
                resource=BlobResourceContents(uri="mem://p", blob=PNG, mime_type="image/png")
            ),
            EmbeddedResource(
                resource=BlobResourceContents(uri="mem://z", blob=WAV, mime_type="application/zip")
            ),
        ]
    )
    converted = to_tool_result(result)
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}
    assert converted.content == [
        {"type": "text", "text": "see"},
        image,
        {"type": "text", "text": "[audio: audio/wav, 100 bytes, not shown]"},
        {"type": "text", "text": "[resource link: notes <file:///notes.md>, text/markdown]"},
        {"type": "text", "text": "Resource mem://a (text/plain):\ninline"},
        {"type": "text", "text": "Resource mem://p (image/png):"},
        image,
        {"type": "text", "text": "[binary resource mem://z (application/zip), 100 bytes]"},
    ]
    assert converted.display == ({"image/png": PNG}, {"image/png": PNG})


def test_structured_content_is_kept_and_given_as_text_when_there_is_no_text() -> None:
    result = CallToolResult(content=[], structured_content={"t": 21.5})
    assert to_tool_result(result) == ToolResult(content='{"t": 21.5}', structured={"t": 21.5})


def test_is_error_is_an_error_result_the_model_reads() -> None:
    result = CallToolResult(content=[TextContent(text="no such city")], is_error=True)
    assert to_tool_result(result) == ToolResult(content="no such city", is_error=True)
    assert to_tool_result(CallToolResult(content=[])).content == "(the tool returned no content)"


def test_prompt_messages_keep_roles_and_assistants_keep_only_text() -> None:
    result = GetPromptResult(
        messages=[
            PromptMessage(role="user", content=TextContent(text="Explain")),
            PromptMessage(role="user", content=ImageContent(data=PNG, mime_type="image/png")),
            PromptMessage(role="assistant", content=TextContent(text="Sure.")),
        ]
    )
    messages = prompt_messages(result)
    assert messages[0] == Message("user", "Explain")
    assert messages[1].content == [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}
    ]
    assert messages[2] == Message("assistant", "Sure.")


def test_tool_names_are_made_valid_and_prefixed_only_when_taken() -> None:
    assert tool_name("srv", "read.file", set()) == "read_file"
    assert tool_name("srv", "echo", {"echo"}) == "srv__echo"
    assert tool_name("srv", "echo", {"echo", "srv__echo"}) == "srv__echo_2"
    long = tool_name("s" * 40, "t" * 40, {"t" * 40})
    assert len(long) == 64 and long.startswith("s" * 40 + "__")
