"""Gmail's ``AROUND``: two words at most N words apart, e.g. ``holiday AROUND 10 vacation``.

Gmail's search operators list ``AROUND`` for words near each other ("Use the number to
say how many words apart the words can be"). Elsewhere the word AROUND is plain text.
Driven through the real client.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakegmail.api.conftest import insert, make_raw

BODY = "We booked the holiday in May and the long vacation in Bali comes later.\n"


def _found(users: Any, q: str) -> bool:
    return bool(users.messages().list(userId="me", q=q).execute().get("messages"))


@pytest.mark.parametrize(("q", "found"), [
    ("holiday AROUND 10 vacation", True),
    ("holiday AROUND 6 vacation", True),   # in May and the long: five words between
    ("holiday AROUND 4 vacation", False),
    ("vacation AROUND 5 holiday", True),   # either order
    ('"long vacation" AROUND 1 bali', True),
    ("holiday AROUND 3 bali", False),
    ("holid AROUND 6 vacat", True),        # bare words match word beginnings, as elsewhere
    ("holiday AROUND 6 vacation subject:itinerary", True),
    ("holiday AROUND 6 vacation -subject:itinerary", False),
])
def test_around_finds_words_near_each_other(users: Any, q: str, found: bool) -> None:
    insert(users, make_raw(subject="Itinerary", body=BODY))

    assert _found(users, q) is found


def test_around_without_a_distance_is_searched_as_words(users: Any) -> None:
    insert(users, make_raw(subject="Walk around the lake", body="See you there.\n"))

    assert _found(users, "walk AROUND lake") is True
    assert _found(users, "AROUND") is True
