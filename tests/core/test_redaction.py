"""Redaction: key shapes, secret env values, secret keys, headers, user patterns, streaming."""

from __future__ import annotations

import json

import pytest

from jupyter_orch.core.approval import Decision
from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.events import (
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallRequested,
    TurnFailed,
    TurnFinished,
)
from jupyter_orch.core.messages import ToolCall, ToolResult, Usage
from jupyter_orch.core.redaction import MARK, Redactor, is_secret_key
from jupyter_orch.core.redaction_stream import EventRedactor, TextGuard

OPENAI = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t"
ENV_SECRET = "tok-93jf02kd81mz"


def test_key_shapes_bearer_and_header_credentials_are_hidden_and_the_words_around_stay() -> None:
    r = Redactor()
    text = (
        f"key {OPENAI}, aws AKIAABCDEFGHIJKLMNOP, Authorization: Bearer abc123def456ghi, "
        'x-api-key: k3y-v4lue-99, password=hunter2222 and api_key: "s3cr3tv4lue".'
    )
    assert r.text(text) == (
        f"key {MARK}, aws {MARK}, Authorization: Bearer {MARK}, "
        f'x-api-key: {MARK}, password={MARK} and api_key: "{MARK}".'
    )


def test_ordinary_prose_and_token_counts_are_left_alone() -> None:
    r = Redactor()
    text = "Basic configuration: use max_tokens=50; the token budget is 120 tokens. Bearer bonds."
    assert r.text(text) == text


def test_values_of_secret_looking_env_vars_are_hidden_everywhere() -> None:
    r = Redactor.build(environ={"MY_SERVICE_TOKEN": ENV_SECRET, "HOME": "/home/user", "X_KEY": "1"})
    assert r.text(f"the token is {ENV_SECRET}!") == f"the token is {MARK}!"
    assert r.text("/home/user") == "/home/user"
    assert r.text("1 + 1") == "1 + 1"  # too short to hunt for


def test_secret_keys_in_structures_and_only_those() -> None:
    assert [
        k
        for k in (
            "api_key",
            "x-api-key",
            "Authorization",
            "accessToken",
            "SECRET_KEY",
            "password",
            "set-cookie",
            "max_tokens",
            "api_base",
            "author",
            "key",
        )
        if is_secret_key(k)
    ] == [
        "api_key",
        "x-api-key",
        "Authorization",
        "accessToken",
        "SECRET_KEY",
        "password",
        "set-cookie",
    ]
    r = Redactor.build(params={"api_key": "sk-test-1234", "api_base": "http://x"})
    value = {
        "api_key": "sk-test-1234",
        "extra_headers": {"Authorization": "Token zzz"},
        "n": [1, "sk-test-1234"],
    }
    assert r.value(value) == {
        "api_key": MARK,
        "extra_headers": {"Authorization": MARK},
        "n": [1, MARK],
    }


def test_tool_arguments_are_redacted_as_json_and_clean_ones_stay_byte_identical() -> None:
    r = Redactor()
    raw = '{"user":"ann",  "token": "abcdef123456"}'
    hidden = r.arguments(raw)
    assert json.loads(hidden) == {"user": "ann", "token": MARK}
    assert r.arguments(hidden) == hidden  # idempotent: a replayed call hashes the same
    clean = '{"a":  2}'
    assert r.arguments(clean) is clean


def test_user_patterns_hide_the_match_or_its_secret_group() -> None:
    r = Redactor.build([r"project \w+", r"id=(?P<secret>\d{4})"])
    assert r.text("project apollo has id=1234") == f"{MARK} has id={MARK}"
    with pytest.raises(UsageError, match="bad pattern"):
        Redactor.build(["(unclosed"])


def _stream(guard: TextGuard, text: str, step: int) -> list[str]:
    shown = []
    for i in range(0, len(text), step):
        shown.append(guard.feed(text[i : i + step]))
    shown.append(guard.flush())
    return shown


@pytest.mark.parametrize("step", [1, 2, 3, 7])
def test_a_streamed_secret_is_never_shown_even_in_part(step: int) -> None:
    r = Redactor(secrets=[ENV_SECRET])
    text = f"Here: {OPENAI} and {ENV_SECRET}; Bearer abcdef123456 done. 日本語のテキスト"
    shown = _stream(TextGuard(r), text, step)
    assert "".join(shown) == r.text(text)
    so_far = ""
    for piece in shown:
        so_far += piece
        for secret in (OPENAI, ENV_SECRET, "abcdef123456"):
            assert secret[:4] not in so_far, (secret, so_far)


def test_streamed_plain_words_come_out_a_word_at_a_time_and_unicode_flows() -> None:
    shown = _stream(TextGuard(Redactor()), "Hello big world. 日本語です", 1)
    assert "".join(shown) == "Hello big world. 日本語です"
    assert shown[:6] == ["", "", "", "", "", "Hello "]
    assert "日" in "".join(shown[:-1])  # no word boundary needed for text that is not a token


def test_event_redactor_hides_tool_arguments_results_reasons_and_errors() -> None:
    scrub = EventRedactor(Redactor())
    call = ToolCall("c1", "login", '{"user": "ann", "api_key": "k-998877665544"}')
    requested = scrub.feed(
        ToolCallRequested(call, None, "ask", {"user": "ann", "api_key": "k-998877665544"})
    )
    assert requested == [
        ToolCallRequested(
            ToolCall("c1", "login", '{"user": "ann", "api_key": "[REDACTED]"}'),
            None,
            "ask",
            {"user": "ann", "api_key": MARK},
        )
    ]
    # The argument's value is now a known secret: a result echoing it is hidden too.
    finished = scrub.feed(ToolCallFinished(call, ToolResult("logged in with k-998877665544")))
    assert finished[0].result == ToolResult(f"logged in with {MARK}")  # type: ignore[union-attr]
    approved = scrub.feed(ToolCallApproved(call, Decision(False, "user", "no k-998877665544")))
    assert approved[0].decision.reason == f"no {MARK}"  # type: ignore[union-attr]
    assert scrub.feed(TextDelta("held k-9988")) == [TextDelta("held ")]
    assert scrub.feed(TextDelta("77665544 end")) == [TextDelta(f"{MARK} ")]
    assert scrub.feed(TurnFinished("held k-998877665544 end", Usage())) == [
        TextDelta("end"),
        TurnFinished(f"held {MARK} end", Usage()),
    ]
    assert scrub.feed(TurnFailed("bad key k-998877665544", "auth")) == [
        TurnFailed(f"bad key {MARK}", "auth")
    ]
