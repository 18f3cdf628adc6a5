"""``{var}`` in a ``%%chat`` cell: values from the user's namespace, expanded exactly once."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from ..core.errors import UsageError


class _Namespace(Mapping[str, Any]):
    def __init__(self, ns: Mapping[str, Any]) -> None:
        self._ns = ns

    def __getitem__(self, key: str) -> Any:
        try:
            return self._ns[key]
        except KeyError:
            raise UsageError(
                f"{{{key}}} in the prompt: name {key!r} is not defined "
                "(write {{ and }} for literal braces); nothing was sent"
            ) from None

    def __iter__(self):  # type: ignore[no-untyped-def]  # Mapping protocol; never iterated
        return iter(self._ns)

    def __len__(self) -> int:
        return len(self._ns)


def interpolate(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace ``{name}`` (also ``{name.attr}``, ``{name[0]}``, ``{name:.2f}``) with values.

    Values are inserted as they are: braces inside a value are never expanded again.
    ``{{`` and ``}}`` stand for literal braces. A missing name or a malformed field is a
    one-line :class:`UsageError`.
    """
    try:
        return string.Formatter().vformat(text, (), _Namespace(namespace))
    except UsageError:
        raise
    except (ValueError, IndexError) as exc:
        raise UsageError(
            f"cannot expand the prompt's braces ({exc}); write {{{{ and }}}} for literal braces"
        ) from None
    except (AttributeError, TypeError) as exc:
        raise UsageError(f"cannot expand a {{...}} field in the prompt: {exc}") from None
