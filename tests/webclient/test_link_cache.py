"""Links are built once per process, exactly as Flask builds them, and no one's words stay."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for


def flask_link(app: Flask, endpoint: str, **values: Any) -> str:
    """Return the link Flask itself builds (the cache's parent class)."""
    return Flask.url_for(app, endpoint, **values)


@pytest.mark.parametrize(("endpoint", "values"), [
    ("mail.folder", {"account": 0, "slug": "inbox"}),
    ("mail.folder", {"account": 2, "slug": "trash", "page": None}),
    ("mail.folder", {"account": 0, "slug": "inbox", "page": "09876543210"}),
    ("mail.label", {"account": 1, "label_id": "Label_12"}),
    ("mail.compose", {"account": 0}),
    ("static", {"filename": "app.css"}),
    ("pages.index", {}),
])
def test_a_link_is_flasks_link_first_and_every_time_after(app: Flask, endpoint: str,
                                                           values: dict[str, Any]) -> None:
    for root in ("", "/mail"):
        with app.test_request_context("/", base_url=f"https://mail.example{root}"):
            expected = flask_link(app, endpoint, **values)
            assert url_for(endpoint, **values) == expected
            assert url_for(endpoint, **values) == expected  # from the cache
            assert expected.startswith(root + "/")
    assert sum(endpoint in key for key in app._links) == 2  # one link per mount point


@pytest.mark.parametrize("values", [
    {"account": 0, "q": "from:ann@example.org invoice"},
    {"account": 0, "q": "rahasia"},  # a plain word is kept out too: q is no id here
    {"account": 0, "next": "/u/0/f/inbox?page=2"},
])
def test_a_link_carrying_words_or_a_return_path_is_built_each_time_and_not_kept(
        app: Flask, values: dict[str, Any]) -> None:
    endpoint = "mail.search" if "q" in values else "mail.compose"
    with app.test_request_context("/"):
        assert url_for(endpoint, **values) == flask_link(app, endpoint, **values)
    words = [v for v in values.values() if isinstance(v, str)]
    assert words and not [key for key in app._links if any(w in repr(key) for w in words)]


def test_links_with_an_anchor_or_a_host_are_not_kept(app: Flask) -> None:
    with app.test_request_context("/", base_url="https://mail.example"):
        assert url_for("mail.compose", account=0, _anchor="to") == "/u/0/compose#to"
        assert url_for("mail.compose", account=0, _external=True) == (
            "https://mail.example/u/0/compose")
    with app.test_request_context("/", base_url="https://other.example"):
        assert url_for("mail.compose", account=0, _external=True) == (
            "https://other.example/u/0/compose")
    assert not app._links
