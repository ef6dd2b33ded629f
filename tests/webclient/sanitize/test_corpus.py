"""Every hostile message in the corpus comes out inert, with the right report."""

from __future__ import annotations

import pytest

from webclient.sanitize import sanitize_email_html

from .corpus import HostileCase, load_corpus
from .inertness import violations

CASES = load_corpus()
REMOTE = "https://images.remote.test"


def _cid(content_id: str) -> str:
    return f"/mail/cid/{content_id}"


def test_the_corpus_covers_at_least_sixty_attacks() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("allow_remote_images", [False, True], ids=["blocked", "allowed"])
def test_corpus_case_is_inert(case: HostileCase, allow_remote_images: bool) -> None:
    html = case.render(remote_origin=REMOTE, remote_http_origin="http://images.remote.test")
    result = sanitize_email_html(html, allow_remote_images=allow_remote_images, cid_url=_cid)
    assert violations(result.html, urls_allowed_in_css=True) == []
    if not allow_remote_images:
        assert "remote.test" not in result.html
        assert "127.0.0.1" not in result.html
        if case.expected_blocked is not None:
            assert result.blocked_remote_images == case.expected_blocked
    else:
        assert "http://images.remote.test" not in result.html
        assert result.blocked_remote_images == 0
    if case.expect_mismatched:
        assert any(link.mismatched for link in result.links)
    if case.expect_punycode:
        assert any(link.punycode_host for link in result.links)
