"""Load every sanitized hostile message in headless Chromium and watch for any effect.

Each case is shown in four frames of one page: with remote images blocked and allowed,
each both bare (same-origin srcdoc, no sandbox, no policy: the sanitizer alone) and as
production frames it (sandboxed srcdoc with `frame_document`'s Content-Security-Policy).
The detector (`chromium.py`) watches executions, dialogs, the console, every request and
the DOM the browser actually built.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webclient.sanitize import frame_document, sanitize_email_html

from .chromium import Harness, bare_document, iframe, open_harness
from .corpus import HostileCase, load_corpus

FRAMES = ("blocked-bare", "blocked-framed", "allowed-bare", "allowed-framed")
CASES = load_corpus()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Start the servers and Debian's Chromium once for this module."""
    with open_harness(tmp_path_factory.mktemp("tls")) as started:
        yield started




def _cid(content_id: str) -> str:
    return f"/mail/cid/{content_id}"


def _case_frames(harness: Harness, case: HostileCase) -> dict[str, str]:
    frames = {}
    for frame_id in FRAMES:
        allow = frame_id.startswith("allowed")
        base = harness.remote_base(frame_id)
        source = case.render(remote_origin=base, remote_http_origin=base.replace("https:", "http:"))
        fragment = sanitize_email_html(source, allow_remote_images=allow, cid_url=_cid).html
        if frame_id.endswith("bare"):
            frames[frame_id] = iframe(frame_id, bare_document(fragment), sandboxed=False)
        else:
            document = frame_document(fragment, allow_remote_images=allow)
            frames[frame_id] = iframe(frame_id, document, sandboxed=True)
    return frames


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_message_has_no_effect_in_chromium(harness: Harness, case: HostileCase) -> None:
    seen = harness.observe(_case_frames(harness, case))
    assert seen.executions == ()
    assert seen.dialogs == ()
    assert [m for m in seen.console if "__xss" in m or "Content Security Policy" in m] == []
    assert seen.unexpected_requests == ()
    assert [r for r in seen.remote_requests if not r.startswith("/allowed-")] == []
    assert [r for r in seen.remote_requests if "/img/" not in r] == []
    assert seen.dom_findings["blocked-bare"] == []
    assert seen.dom_findings["allowed-bare"] == []
    if case.expected_blocked:
        assert any(r.startswith("/allowed-framed/img/") for r in seen.remote_requests)
        assert any(r.startswith("/allowed-bare/img/") for r in seen.remote_requests)


def test_with_consent_allowed_images_load_over_https(harness: Harness) -> None:
    base = harness.remote_base("allowed-framed")
    source = (
        f'<img src="{base}/img/a.png"><img src="{base.replace("https:", "http:")}/img/b.png">'
        f'<div style="background:url({base}/img/c.png);width:5px;height:5px"></div>'
    )
    fragment = sanitize_email_html(source, allow_remote_images=True).html
    document = frame_document(fragment, allow_remote_images=True)
    seen = harness.observe({"allowed-framed": iframe("allowed-framed", document, sandboxed=True)})
    assert sorted(seen.remote_requests) == [
        "/allowed-framed/img/a.png", "/allowed-framed/img/b.png", "/allowed-framed/img/c.png",
    ]
    assert seen.images_loaded["allowed-framed"] == 2
    assert seen.unexpected_requests == ()


def test_cid_images_load_from_the_app_route(harness: Harness) -> None:
    fragment = sanitize_email_html(
        '<img src="cid:logo@x">', allow_remote_images=False, cid_url=_cid
    ).html
    document = frame_document(fragment, allow_remote_images=False)
    before = len(harness.app.seen())
    seen = harness.observe({"blocked-framed": iframe("blocked-framed", document, sandboxed=True)})
    assert "/mail/cid/logo@x" in harness.app.seen()[before:]
    assert seen.images_loaded["blocked-framed"] == 1
    assert seen.remote_requests == ()


# The detector must be able to fail: unsanitized markup trips each of its layers.


def test_detector_sees_script_run_in_an_unsanitized_frame(harness: Harness) -> None:
    raw = (
        "<img src=/missing.png onerror=alert(1)>"
        "<details open ontoggle=confirm(2)><summary>s</summary>"
    )
    seen = harness.observe({"blocked-bare": iframe("blocked-bare", bare_document(raw),
                                                    sandboxed=False)})
    assert "alert@blocked-bare" in seen.executions
    assert "confirm@blocked-bare" in seen.executions
    assert any("__xss alert" in m for m in seen.console)
    assert "handler img[onerror]" in seen.dom_findings["blocked-bare"]


def test_detector_sees_dialogs_the_hooks_miss(harness: Harness) -> None:
    # A fresh about:blank frame has the browser's own alert, not the replaced one.
    raw = (
        "<img src=/missing.png onerror=\"document.body.appendChild("
        "document.createElement('iframe')).contentWindow.alert(1)\">"
    )
    seen = harness.observe({"blocked-bare": iframe("blocked-bare", bare_document(raw),
                                                    sandboxed=False)})
    assert seen.dialogs == ("alert",) or seen.executions != ()


def test_detector_sees_remote_loads_and_overlays_in_an_unsanitized_frame(
    harness: Harness,
) -> None:
    raw = (
        f'<img src="{harness.remote_base("blocked-bare")}/img/pixel.gif">'
        '<div style="position:fixed;top:0">fake</div><a href="javascript:void 0">x</a>'
    )
    seen = harness.observe({"blocked-bare": iframe("blocked-bare", bare_document(raw),
                                                    sandboxed=False)})
    assert seen.remote_requests == ("/blocked-bare/img/pixel.gif",)
    assert seen.unexpected_requests == (f"{harness.remote.origin}/blocked-bare/img/pixel.gif",)
    assert "position fixed" in seen.dom_findings["blocked-bare"]
    assert any(f.startswith("script url a[href]") for f in seen.dom_findings["blocked-bare"])


def test_frame_policy_alone_blocks_script_and_remote_loads(harness: Harness) -> None:
    raw = f'<script>alert(1)</script><img src="{harness.remote_base("blocked-framed")}/img/p.png">'
    document = frame_document(raw, allow_remote_images=False)
    seen = harness.observe({"blocked-framed": iframe("blocked-framed", document,
                                                      sandboxed=True)})
    assert seen.executions == () and seen.dialogs == ()
    assert seen.remote_requests == ()
    assert any("Content Security Policy" in m for m in seen.console)
