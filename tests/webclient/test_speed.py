"""The first inbox page waits for at most three Gmail round trips, one after another."""

from __future__ import annotations

from tests.webclient.conftest import control

LATENCY_MS = 500


def calls(emulator, method):
    stats = control(emulator, "GET", "stats")
    return stats["methods"].get(method, {}).get("calls", 0)


def test_cold_inbox_lists_threads_and_labels_side_by_side(signed_in, mailbox, web_emulator):
    control(web_emulator, "DELETE", "stats")
    rules = [control(web_emulator, "POST", "faults", {"method": method,
                                                      "latency_ms": LATENCY_MS})
             for method in ("threads.list", "labels.list")]
    try:
        page = signed_in.get("/u/0/f/inbox")
    finally:
        for rule in rules:
            control(web_emulator, "DELETE", f"faults?method={rule['method']}")
    assert page.status_code == 200
    assert calls(web_emulator, "gmail.users.threads.list") == 1
    assert calls(web_emulator, "gmail.users.labels.list") == 1
    # Both slow calls were being served at the same moment: one wait, not two. The
    # emulator counts the calls in flight; LATENCY_MS keeps each one open long enough.
    assert control(web_emulator, "GET", "stats")["peak_in_flight"] >= 2


def test_warm_inbox_renders_from_the_guard_cache(signed_in, web_emulator):
    signed_in.get("/u/0/f/inbox")
    control(web_emulator, "DELETE", "stats")
    assert signed_in.get("/u/0/f/inbox").status_code == 200
    assert calls(web_emulator, "gmail.users.threads.list") == 0
    assert calls(web_emulator, "gmail.users.threads.get") == 0
