"""The turn record: one ``%%chat`` turn as saved in the notebook, the JSONL store and exports.

The schema is versioned (:data:`SCHEMA_VERSION`); ``docs/transcript.md`` documents every
field. Older records are brought up to date by :data:`MIGRATIONS` (append-only, one step per
version, as simonw/llm migrates its database); a record from a newer jupyter-orch is refused
with a one-line error rather than misread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from ..core.errors import UsageError

SCHEMA_VERSION = 1
MIME = "application/vnd.jupyter-orch.turn+json"
"""The MIME type a ``%%chat`` output carries its record under."""

Status = Literal["running", "finished", "failed", "interrupted"]
Outcome = Literal["approved", "rejected", "expired", "automatic"]

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""``MIGRATIONS[n]`` turns a version-``n`` record (a dict) into a version ``n + 1`` one."""


def now() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class UsageRecord(BaseModel):
    """Token counts and cost (``None`` when the provider does not price the model)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None


class DecisionRecord(BaseModel):
    """How a tool call was decided."""

    outcome: Outcome
    approved: bool
    by: str
    reason: str = ""
    always: bool = False
    scope: str | None = None
    at: str


class ResultRecord(BaseModel):
    """What a tool returned (as the model saw it)."""

    content: str | list[dict[str, Any]]
    is_error: bool = False
    structured: Any = None
    display: list[str] = Field(default_factory=list)


class ChangeRecord(BaseModel):
    """What a call changes (a notebook edit), as its card showed it before the decision."""

    title: str
    diff: str = ""
    code: str | None = None
    language: str = "python"


class ElicitationEntry(BaseModel):
    """A server's request for input during a call, and the answer (secrets redacted)."""

    source: str
    mode: str
    message: str
    fields: list[str] = Field(default_factory=list)
    url: str | None = None
    action: str
    content: dict[str, Any] | None = None
    reason: str = ""


class ToolCallRecord(BaseModel):
    """One tool call: what was asked, who decided, what came back."""

    id: str
    name: str
    round: int
    arguments_json: str
    arguments: Any = None
    source: str | None = None
    server: str | None = None
    policy: str | None = None
    decision: DecisionRecord | None = None
    result: ResultRecord | None = None
    seconds: float | None = None
    requested_at: str
    finished_at: str | None = None
    change: ChangeRecord | None = None
    elicitations: list[ElicitationEntry] = Field(default_factory=list)


class RoundRecord(BaseModel):
    """One model call of the turn."""

    index: int
    request_hash: str
    messages: list[str]
    tools_hash: str
    tool_choice: Any = None
    text: str = ""
    usage: UsageRecord | None = None
    finish: str | None = None
    started_at: str
    first_token_s: float | None = None


class Latency(BaseModel):
    """Seconds to the first token (or tool call) and for the whole turn."""

    first_token_s: float | None = None
    total_s: float | None = None


class Versions(BaseModel):
    """Versions of what produced the turn."""

    jupyter_orch: str
    litellm: str | None = None
    python: str
    mcp_servers: dict[str, str] = Field(default_factory=dict)


class TurnRecord(BaseModel):
    """A whole turn; see ``docs/transcript.md`` for each field."""

    version: int = SCHEMA_VERSION
    kind: Literal["turn"] = "turn"
    key: str
    id: str
    session: str
    thread: str
    position: int
    parent: str | None = None
    cell_id: str | None = None
    execution_count: int | None = None
    status: Status = "running"
    stop: str | None = None
    error: str | None = None
    error_kind: str | None = None
    model: str
    provider: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    prompt: str = ""
    answer: str = ""
    rounds: list[RoundRecord] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    tools_offered: list[str] = Field(default_factory=list)
    tools_hash: str | None = None
    usage: UsageRecord = Field(default_factory=UsageRecord)
    cost: float | None = None
    latency: Latency = Field(default_factory=Latency)
    started_at: str
    ended_at: str | None = None
    versions: Versions
    replay: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the record as plain JSON data."""
        return self.model_dump(mode="json")


def load_record(data: Any, *, where: str = "record") -> TurnRecord:
    """Validate (and migrate) one record; a bad one is a one-line :class:`UsageError`."""
    if not isinstance(data, dict) or data.get("kind") != "turn":
        raise UsageError(f"{where}: not a jupyter-orch turn record")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise UsageError(f"{where}: the record has no valid schema version")
    if version > SCHEMA_VERSION:
        raise UsageError(
            f"{where}: written by a newer jupyter-orch (schema {version}, this one reads "
            f"up to {SCHEMA_VERSION}); upgrade jupyter-orch"
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["version"]
    try:
        return TurnRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{where}: invalid turn record ({field}: {first['msg']})") from None
