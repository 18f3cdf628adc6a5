"""The text batcher behind cell and bridge streaming."""

from __future__ import annotations

import asyncio

from jupyter_orch.core.batching import TextBatcher


def test_the_first_piece_goes_at_once_and_the_rest_together_at_the_next_tick() -> None:
    async def go() -> list[str]:
        sent: list[str] = []
        second = asyncio.get_running_loop().create_future()

        def send(text: str) -> None:
            sent.append(text)
            if len(sent) == 2:
                second.set_result(None)

        batch = TextBatcher(send, hz=20)
        for piece in ("a", "b", "", "c"):
            batch.add(piece)
        assert sent == ["a"]
        await asyncio.wait_for(second, 2)
        return sent

    assert asyncio.run(go()) == ["a", "bc"]


def test_flush_sends_what_waits_and_cancels_the_tick() -> None:
    async def go() -> tuple[list[str], int]:
        sent: list[str] = []
        batch = TextBatcher(sent.append, hz=1)
        batch.add("a")
        batch.add("b")
        batch.flush()
        batch.flush()  # nothing waits: nothing sent
        return sent, batch.sends

    assert asyncio.run(go()) == (["a", "b"], 2)


def test_zero_hz_sends_every_piece() -> None:
    sent: list[str] = []
    batch = TextBatcher(sent.append, hz=0)
    for piece in ("a", "b", "c"):
        batch.add(piece)
    assert sent == ["a", "b", "c"]
