"""Every console route: closed to visitors and to mail users, private, and in both languages."""

from __future__ import annotations

import pytest

from guard.policy import AccessBasis, GrantReference
from tests.webclient.conftest import csrf_token, sign_in
from tests.webclient.staff.conftest import SECURITY_1, guard_of, thread_of_two

#: Every console route that needs a staff session, with sample arguments.
GUARDED_GETS = (
    "/staff/", "/staff/consented", "/staff/consented/cns_x", "/staff/consented/cns_x/m/m1",
    "/staff/consented/cns_x/m/m1/frame", "/staff/grants", "/staff/grants/new",
    "/staff/grants/grt_x", "/staff/grants/grt_x/open?message=m1", "/staff/grants/grt_x/m/m1",
    "/staff/grants/grt_x/t/t1", "/staff/grants/grt_x/m/m1/frame", "/staff/aggregates",
)
GUARDED_POSTS = ("/staff/role", "/staff/grants/new", "/staff/grants/grt_x/approve",
                 "/staff/grants/grt_x/refuse")
OPEN = {"staff.signin", "staff.start", "staff.callback", "staff.signout", "staff.static"}
#: Routes whose signed URL names the staff session (the sandboxed frame's image requests
#: may carry no cookie): without a valid one they answer 404, never the sign-in page.
SIGNED = {"staff.inline_part"}


def test_the_lists_above_cover_every_console_route(app):
    rules = {rule.rule.replace("<consent_id>", "cns_x").replace("<grant_id>", "grt_x")
             .replace("<message_id>", "m1").replace("<thread_id>", "t1")
             for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("staff.") and rule.endpoint not in OPEN | SIGNED}
    listed = {path.split("?")[0] for path in (*GUARDED_GETS, *GUARDED_POSTS)}
    assert rules == listed


@pytest.mark.parametrize("path", GUARDED_GETS)
def test_visitors_get_the_staff_sign_in_page(client, path):
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/staff/signin")
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_signed_route_without_its_signature_is_not_found(client):
    answer = client.get("/staff/inline/not-a-signed-value")
    assert answer.status_code == 404
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", GUARDED_POSTS)
def test_visitors_cannot_act(client, path):
    answer = client.post(path, data={"csrf_token": csrf_token(client, "/staff/signin")})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/staff/signin")


def test_a_signed_in_mail_user_gets_the_staff_sign_in_page_everywhere(client, web_emulator,
                                                                       user):
    sign_in(client, web_emulator, user.email)
    for path in GUARDED_GETS:
        assert client.get(path).headers["Location"].startswith("/staff/signin"), path


def test_the_console_speaks_indonesian(client):
    page = client.get("/staff/signin", headers={"Accept-Language": "id"})
    assert "Masuk dengan akun Google Qontak Anda" in page.get_data(as_text=True)


def test_the_grant_page_opens_a_message_or_a_conversation_by_id(app, staff_client, user):
    thread, first, _reply = thread_of_two(user)
    client = staff_client(SECURITY_1)
    grant = guard_of(app).grants.request(
        actor=guard_of(app).staff.get(SECURITY_1).actor("security"), mailbox=user.email,
        basis=AccessBasis.SECURITY, reference=GrantReference(case_id="SEC-1",
                                                             category="fraud"))
    base = f"/staff/grants/{grant.id}"
    assert client.get(f"{base}/open?message={first}").headers["Location"] == \
        f"{base}/m/{first}"
    assert client.get(f"{base}/open?thread={thread}").headers["Location"] == \
        f"{base}/t/{thread}"
    empty = client.get(f"{base}/open", follow_redirects=True)
    assert "Give a message id or a conversation id." in empty.get_data(as_text=True)
