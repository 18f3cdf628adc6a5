"""The bridge's protocol in a real kernel, with a test page speaking the page side."""

from __future__ import annotations

import json

from .page import TestPage, Wire

STATE = "from jupyter_orch.ipython.loader import get_extension; b = get_extension().bridge\n"


def _kernel_view(wire: Wire) -> dict[str, object]:
    out = wire.stdout(
        STATE + "import json; print(json.dumps({'connected': b.connected, "
        "'capabilities': sorted(b.capabilities), 'pages': [p.id for p in b.pages], "
        "'refusals': b.refusals}))"
    )
    return dict(json.loads(out))


def test_the_handshake_answers_with_the_protocol_and_the_accepted_capabilities(
    loaded: Wire,
) -> None:
    page = TestPage(loaded, capabilities=("notify", "status", "telepathy"))
    welcome = page.connect()
    assert welcome["type"] == "welcome"
    assert welcome["protocol"] == 1
    assert welcome["capabilities"] == ["notify", "status"]
    assert {"approval.decide", "ping"} <= set(welcome["methods"])
    assert welcome["state"] == {"status": {"state": "idle"}, "pending": []}
    assert welcome["kernel"]["protocol"] == 1
    assert _kernel_view(loaded) == {
        "connected": True,
        "capabilities": ["notify", "status"],
        "pages": [page.page_id],
        "refusals": [],
    }


def test_a_page_of_another_protocol_is_refused_with_one_line_on_both_sides(
    loaded: Wire,
) -> None:
    page = TestPage(loaded, protocol=2)
    refused = page.connect()
    loaded.wait(lambda: page.closed, what="the kernel closes the refused comm")
    assert refused["type"] == "refused"
    message = refused["message"]
    assert "\n" not in message
    assert "protocol 2" in message and "speaks 1" in message
    view = _kernel_view(loaded)
    assert view["connected"] is False
    assert view["refusals"] == [message]


def test_a_request_to_a_page_that_does_not_answer_fails_after_its_timeout(
    loaded: Wire,
) -> None:
    page = TestPage(loaded, answers={"ping": {}})
    page.connect()
    out = loaded.stdout(
        STATE + "import time\nt = time.monotonic()\n"
        "try:\n    await b.request('notebook.read', {'cell': 1}, timeout=0.5)\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, '|', e, '|', round(time.monotonic() - t, 1))"
    )
    name, message, seconds = (part.strip() for part in out.split("|"))
    assert name == "BridgeError"
    assert message == "jupyter-orch bridge: the page did not answer 'notebook.read' within 0.5 s"
    assert 0.4 <= float(seconds) < 3
    assert [r["method"] for r in page.requests_seen] == ["notebook.read"]


def test_a_request_with_no_page_fails_at_once(loaded: Wire) -> None:
    out = loaded.stdout(
        STATE + "try:\n    await b.request('notebook.read', capability='notebook.read')\n"
        "except Exception as e:\n    print(e)"
    )
    assert out.strip() == "jupyter-orch bridge: no page offers 'notebook.read'"


def test_a_page_answers_the_kernels_request_and_its_errors_come_back_as_one_line(
    loaded: Wire,
) -> None:
    page = TestPage(loaded, answers={"ping": {}, "echo": {"cells": 3}})
    page.connect()
    assert loaded.stdout(STATE + "print(await b.request('echo', {}, timeout=10))").strip() == (
        "{'cells': 3}"
    )
    unknown = page.request("no.such.method", {})
    assert unknown["error"] == {"message": "unknown method 'no.such.method'"}


def test_two_pages_both_get_events_and_requests_go_to_the_newest(loaded: Wire) -> None:
    first = TestPage(loaded, answers={"ping": {}, "who": "first"})
    second = TestPage(loaded, answers={"ping": {}, "who": "second"})
    first.connect()
    second.connect()
    loaded.run(STATE + "b.emit('hello', {'n': 1})")
    loaded.wait(lambda: first.events("hello") and second.events("hello"), what="both hello")
    assert loaded.stdout(STATE + "print(await b.request('who'))").strip() == "second"
    assert len(_kernel_view(loaded)["pages"]) == 2  # type: ignore[arg-type]


def test_a_reloaded_page_replaces_the_old_one_which_is_dropped_when_it_stays_silent(
    loaded: Wire,
) -> None:
    old = TestPage(loaded, answers={})  # a dead tab: it answers nothing, not even a ping
    old.connect()
    new = TestPage(loaded)
    new.connect()
    loaded.wait(lambda: old.closed, timeout=15, what="the kernel drops the silent page")
    assert _kernel_view(loaded)["pages"] == [new.page_id]


def test_a_goodbye_or_a_closed_comm_forgets_the_page(loaded: Wire) -> None:
    leaving = TestPage(loaded)
    leaving.connect()
    leaving.send({"type": "goodbye"})
    closing = TestPage(loaded)
    closing.connect()
    closing.close()
    loaded.wait(lambda: _kernel_view(loaded)["pages"] == [], what="both pages forgotten")


def test_a_page_that_loaded_first_connects_once_the_extension_announces_itself(
    wire: Wire,
) -> None:
    early = TestPage(wire)
    early.open()
    # No target yet: the kernel closes the comm, which the page takes as "not loaded".
    wire.wait(lambda: early.closed, what="the kernel without the target closes the comm")
    assert wire.announcements() == []
    wire.run("%load_ext jupyter_orch")
    (announce,) = wire.announcements()
    assert announce["content"]["data"]["protocol"] == 1
    again = TestPage(wire)
    assert again.connect()["type"] == "welcome"


def test_after_a_kernel_restart_the_page_connects_to_the_new_kernel_once_it_loads(
    loaded: Wire,
) -> None:
    before = TestPage(loaded)
    before.connect()
    loaded.kernel.km.restart_kernel(now=True)
    loaded.kernel.kc.wait_for_ready(timeout=60)
    loaded.seen.clear()
    loaded.run("%load_ext jupyter_orch")
    assert len(loaded.announcements()) == 1
    after = TestPage(loaded)
    assert after.connect()["type"] == "welcome"
    assert _kernel_view(loaded)["pages"] == [after.page_id]


def test_unloading_says_goodbye_and_closes_the_pages(loaded: Wire) -> None:
    page = TestPage(loaded)
    page.connect()
    loaded.run("%unload_ext jupyter_orch")
    loaded.wait(lambda: page.closed, what="the comm closed by the kernel")
    assert {"type": "goodbye", "reason": "unloaded"} in page.received
