"""The grant request form refuses a duration no grant can have, instead of the longest."""

from __future__ import annotations

import html

import pytest

from audit import AuditQuery
from tests.webclient.staff.conftest import SECURITY_1, guard_of
from tests.webclient.staff.test_grants import grant_id_of, request_security


@pytest.mark.parametrize("hours", ["0", "0.0", "-3", "abc", "nan", "inf", "73", "1e400"])
def test_a_duration_no_grant_can_have_is_refused_and_the_form_keeps_what_was_typed(
        app, staff_client, user, hours):
    client = staff_client(SECURITY_1)
    answer = request_security(client, user.email, case="SEC-907", hours=hours)
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    assert "A grant lasts more than zero and at most 72 hours." in page
    assert f'value="{hours}"' in page and 'value="SEC-907"' in page
    assert f'value="{user.email}"' in page
    assert guard_of(app).grants.for_staff(SECURITY_1) == ()
    # Like the form's other problems, nothing reached the grant book, so nothing is
    # recorded as a request.
    assert not [e for e in guard_of(app).audit.query(AuditQuery(actor_kind="staff"))
                if e.action == "grant.request"]


def test_a_zero_duration_is_refused_in_indonesian_too(staff_client, user):
    client = staff_client(SECURITY_1)
    client.set_cookie("mailguard_lang", "id")
    answer = request_security(client, user.email, hours="0")
    assert answer.status_code == 400
    assert "at most 72 hours" not in answer.get_data(as_text=True)
    assert "72 jam" in answer.get_data(as_text=True)


@pytest.mark.parametrize(("hours", "lasts"), [("", 72), ("0.5", 0.5), ("72", 72)])
def test_an_empty_field_still_means_the_longest_and_a_valid_one_is_kept(
        app, staff_client, user, hours, lasts):
    answer = request_security(staff_client(SECURITY_1), user.email, hours=hours)
    grant = guard_of(app).grants.get(grant_id_of(answer))
    assert (grant.expires_at - grant.requested_at).total_seconds() == lasts * 3600
