"""A kernel and its iopub wire, for the bridge's protocol tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.kernel import kernel

from .page import Wire


@pytest.fixture
def wire() -> Iterator[Wire]:
    """A fresh kernel (extension not loaded yet), read through a :class:`Wire`."""
    with kernel() as k:
        yield Wire(k)


@pytest.fixture
def loaded(wire: Wire) -> Wire:
    """The kernel with ``%load_ext jupyter_orch`` run."""
    wire.run("%load_ext jupyter_orch")
    return wire
