"""An expiry no date can be shown in (year 9999, year 1 at +14:00) is refused, not a 500.

The share form carries the moment the consent ends; a tampered or corrupted value that
``datetime`` parses but the page cannot put in the reader's time zone made the page fail
with an OverflowError. Now it is refused like any other expiry outside what the page
offers, the durations are offered again, and nothing is stored.
"""

from __future__ import annotations

import pytest

from tests.webclient.privacy.conftest import text
from tests.webclient.privacy.test_share import agree


@pytest.mark.parametrize("until", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_an_expiry_beyond_any_calendar_is_refused_and_offered_again(signed_in, conversation,
                                                                     guard, mailbox, until):
    answer = agree(signed_in, conversation.first, until=until)
    shown = text(answer)
    assert answer.status_code == 400
    assert "This choice is no longer possible" in shown
    assert 'name="until"' in answer.get_data(as_text=True)
    assert guard.consents.for_user(mailbox.email) == ()
