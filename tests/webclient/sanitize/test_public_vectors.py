"""Public XSS vector lists (DOMPurify, H5SC, OWASP) come out inert, read and rendered.

Every vector is sanitized with remote images blocked and allowed, and the output checked
twice: with Python's tokenizer (`inertness.py`) and with lxml (`vectors.py`). Then all
of them are rendered in real headless Chromium under the corpus test's detector, in the
same four frames (blocked/allowed × bare/production-framed). A frame costs Chromium about
25 ms to build, so a frame shows a few vectors, each in its own `<div>`, and a page holds
many frames; a finding names the frame and its vectors, and the direct test above tells
which one it is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webclient.sanitize import frame_document, sanitize_email_html

from .chromium import Harness, bare_document, iframe, open_harness
from .inertness import violations
from .vectors import VECTORS_DIR, PublicVector, findings, load_sources, load_vectors

VECTORS = load_vectors()
FRAMES = ("blocked-bare", "blocked-framed", "allowed-bare", "allowed-framed")
PER_FRAME = 5
PER_PAGE = 100
BATCHES = [VECTORS[i : i + PER_PAGE] for i in range(0, len(VECTORS), PER_PAGE)]


def _cid(content_id: str) -> str:
    return f"/mail/cid/{content_id}"


def _sanitized(vector: PublicVector, *, allow_remote_images: bool) -> str:
    return sanitize_email_html(
        vector.html, allow_remote_images=allow_remote_images, cid_url=_cid
    ).html


def test_every_list_is_vendored_with_source_and_licence() -> None:
    sources = load_sources()
    readme = (VECTORS_DIR / "README.md").read_text(encoding="utf-8")
    assert {s.file for s in sources} == {
        "dompurify-0.8.2-expect.json", "h5sc-vectors.json", "owasp-xss-filter-evasion.json"
    }
    for source in sources:
        assert source.file in readme and source.url in readme
        assert len(source.vectors) >= 100
    assert (VECTORS_DIR / "LICENSE-MPL-2.0.txt").read_text().startswith("Mozilla Public")
    assert len({v.label for v in VECTORS}) == len(VECTORS) == 461


def test_the_lxml_check_flags_the_unsanitized_vectors() -> None:
    flagged = [v for v in VECTORS if findings(v.html, remote_images_allowed=True)]
    assert len(flagged) >= 340


@pytest.mark.parametrize("vector", VECTORS, ids=[v.label for v in VECTORS])
@pytest.mark.parametrize("allow_remote_images", [False, True], ids=["blocked", "allowed"])
def test_public_vector_is_inert(vector: PublicVector, allow_remote_images: bool) -> None:
    fragment = _sanitized(vector, allow_remote_images=allow_remote_images)
    assert violations(fragment, urls_allowed_in_css=allow_remote_images) == []
    assert findings(fragment, remote_images_allowed=allow_remote_images) == []


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Start the servers and Debian's Chromium once for this module."""
    with open_harness(tmp_path_factory.mktemp("tls")) as started:
        yield started


def _batch_frames(batch: list[PublicVector]) -> tuple[dict[str, str], dict[str, str]]:
    """Return the page's frames (id -> iframe tag) and which vectors each frame shows."""
    frames: dict[str, str] = {}
    shows: dict[str, str] = {}
    for start in range(0, len(batch), PER_FRAME):
        group = batch[start : start + PER_FRAME]
        for mode in FRAMES:
            frame_id = f"{mode}-{start}"
            allow = mode.startswith("allowed")
            fragment = "".join(
                f"<div>{_sanitized(v, allow_remote_images=allow)}</div>" for v in group
            )
            if mode.endswith("bare"):
                frames[frame_id] = iframe(frame_id, bare_document(fragment), sandboxed=False)
            else:
                document = frame_document(fragment, allow_remote_images=allow)
                frames[frame_id] = iframe(frame_id, document, sandboxed=True)
            shows[frame_id] = ", ".join(v.label for v in group)
    return frames, shows


@pytest.mark.parametrize(
    "batch", BATCHES, ids=[f"{b[0].label}..{b[-1].label}" for b in BATCHES]
)
def test_public_vectors_have_no_effect_in_chromium(
    harness: Harness, batch: list[PublicVector]
) -> None:
    frames, shows = _batch_frames(batch)
    seen = harness.observe(frames)
    assert seen.executions == ()
    assert seen.dialogs == ()
    assert [m for m in seen.console if "__xss" in m or "Content Security Policy" in m] == []
    # Only images may leave the page, over https, and only once the reader allowed them.
    assert [
        u for u in seen.unexpected_requests
        if not (u.startswith("https://") and seen.request_types.get(u) == "image")
    ] == []
    assert seen.remote_requests == ()
    dom = {
        f"{frame_id} ({shows[frame_id]})": [
            f for f in found
            if not (frame_id.startswith("allowed") and f.startswith("image https://"))
        ]
        for frame_id, found in seen.dom_findings.items()
    }
    assert {k: v for k, v in dom.items() if v} == {}


def test_a_grouped_frame_still_reports_one_unsanitized_vector(harness: Harness) -> None:
    raw = "<div>harmless</div><div><img src=/missing.png onerror=alert(1)></div><div>x</div>"
    frames = {"blocked-bare-0": iframe("blocked-bare-0", bare_document(raw), sandboxed=False)}
    seen = harness.observe(frames)
    assert seen.executions == ("alert@blocked-bare-0",)
    assert "handler img[onerror]" in seen.dom_findings["blocked-bare-0"]
