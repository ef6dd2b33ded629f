"""Sessions under attack: fixation, replay after sign-out, the wrong cookie, expiry, tampering."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from tests.authz.conftest import (
    OWNER_SECRET,
    SUPPORT,
    World,
    cookie_value,
    leaks,
    page_token,
)
from tests.webclient.conftest import consent, new_mailbox
from webclient.staff.staff_session import COOKIE as STAFF_COOKIE
from webclient.staff.staff_session import SALT as STAFF_SALT

MAIL_COOKIE = "mailguard_session"


@pytest.fixture
def restore_clock(world: World) -> Iterator[None]:
    """Put the guard's clock back after a test moves it."""
    saved = world.clock.now
    yield
    world.clock.now = saved


def signed_out_of_mail(client: FlaskClient) -> bool:
    """Return whether the client is sent to the sign-in page from the mail client."""
    answer = client.get("/u/0/f/inbox")
    return answer.status_code == 302 and answer.headers["Location"].startswith("/auth/signin")


def signed_out_of_staff(client: FlaskClient) -> bool:
    """Return whether the client is sent to the staff sign-in page from the console."""
    answer = client.get("/staff/consented")
    return answer.status_code == 302 and answer.headers["Location"].startswith(
        "/staff/signin")


def with_cookie(world: World, name: str, value: str, path: str = "/") -> FlaskClient:
    """Return a fresh client holding only the cookie ``name=value``."""
    client = world.app.test_client()
    client.set_cookie(name, value, path=path)
    return client


def test_a_session_set_before_sign_in_is_not_the_one_after(world: World) -> None:
    box = new_mailbox(world.emulator, messages=1)
    victim = world.app.test_client()
    start = victim.get("/auth/start")
    planted = cookie_value(victim, MAIL_COOKIE)
    assert planted is not None
    back = urlsplit(consent(world.emulator, start.headers["Location"], box.email))
    assert victim.get(f"{back.path}?{back.query}").status_code == 302
    after = cookie_value(victim, MAIL_COOKIE)
    assert after is not None and after != planted
    assert not signed_out_of_mail(victim)
    attacker = with_cookie(world, MAIL_COOKIE, planted)
    assert signed_out_of_mail(attacker)


def test_a_staff_sign_in_issues_a_new_staff_cookie_each_time(world: World) -> None:
    from tests.webclient.staff.conftest import staff_sign_in

    first, second = world.app.test_client(), world.app.test_client()
    assert staff_sign_in(first, world.emulator, SUPPORT).status_code == 302
    assert staff_sign_in(second, world.emulator, SUPPORT).status_code == 302
    one = cookie_value(first, STAFF_COOKIE, "/staff")
    two = cookie_value(second, STAFF_COOKIE, "/staff")
    assert one and two and one != two


def test_a_mail_session_cookie_replayed_after_sign_out_is_refused(world: World) -> None:
    client = world.signed_in_anew("user")
    stolen = cookie_value(client, MAIL_COOKIE)
    assert stolen is not None
    token = page_token(client, "/auth/accounts")
    assert client.post("/auth/signout", data={"csrf_token": token}).status_code == 302
    assert signed_out_of_mail(client)
    assert signed_out_of_mail(with_cookie(world, MAIL_COOKIE, stolen))


def test_a_staff_cookie_replayed_after_sign_out_is_refused(world: World) -> None:
    client = world.signed_in_anew("support")
    stolen = cookie_value(client, STAFF_COOKIE, "/staff")
    assert stolen is not None
    token = page_token(client, "/auth/signin")
    assert client.post("/staff/signout", data={"csrf_token": token}).status_code == 302
    assert signed_out_of_staff(client)
    assert signed_out_of_staff(with_cookie(world, STAFF_COOKIE, stolen, "/staff"))


def test_a_staff_cookie_opens_no_mailbox(world: World) -> None:
    staff = cookie_value(world.clients["security"], STAFF_COOKIE, "/staff")
    assert staff is not None
    for client in (with_cookie(world, STAFF_COOKIE, staff, "/"),
                   with_cookie(world, MAIL_COOKIE, staff, "/")):
        assert signed_out_of_mail(client)
        answer = client.get(f"/u/0/t/{world.mine.thread}")
        assert answer.status_code == 302 and leaks(answer, OWNER_SECRET) == []


def test_a_mail_cookie_opens_no_console(world: World) -> None:
    mail = cookie_value(world.clients["user"], MAIL_COOKIE)
    assert mail is not None
    for client in (with_cookie(world, MAIL_COOKIE, mail, "/"),
                   with_cookie(world, STAFF_COOKIE, mail, "/staff")):
        assert signed_out_of_staff(client)


def test_a_staff_cookie_signed_with_another_key_is_refused(world: World) -> None:
    forged = URLSafeSerializer("not-the-secret-key", salt=STAFF_SALT).dumps(
        {"email": SUPPORT, "role": "support", "at": world.clock().timestamp(),
         "sid": "0" * 24})
    assert signed_out_of_staff(with_cookie(world, STAFF_COOKIE, forged, "/staff"))


def test_a_staff_cookie_cannot_promote_itself_to_another_role(world: World) -> None:
    key = world.app.secret_key
    assert isinstance(key, str)
    # Even with the key: a role the member does not hold is refused at every request.
    forged = URLSafeSerializer(key, salt=STAFF_SALT).dumps(
        {"email": SUPPORT, "role": "security", "at": world.clock().timestamp(),
         "sid": "0" * 24})
    client = with_cookie(world, STAFF_COOKIE, forged, "/staff")
    assert signed_out_of_staff(client)
    assert client.get("/staff/review/").status_code == 302


def test_a_mail_session_signed_with_another_key_is_refused(world: World) -> None:
    from flask.sessions import SecureCookieSessionInterface

    other_app = type(world.app)(__name__)
    other_app.secret_key = "another-secret"
    serializer = SecureCookieSessionInterface().get_signing_serializer(other_app)
    assert serializer is not None
    forged = serializer.dumps({"user_id": world.owner.email})
    assert signed_out_of_mail(with_cookie(world, MAIL_COOKIE, forged))


def test_an_expired_staff_session_gets_the_sign_in_page(world: World,
                                                        restore_clock: None) -> None:
    client = world.clone("support")
    path = f"/staff/consented/{world.mine.consent}/m/{world.mine.first}/frame"
    assert client.get(path).status_code == 200
    world.clock.advance(hours=8, seconds=1)
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/staff/signin")
    assert leaks(answer, OWNER_SECRET) == []
    assert cookie_value(client, STAFF_COOKIE, "/staff") in (None, "")


def test_a_staff_cookie_from_the_future_is_refused(world: World, restore_clock: None) -> None:
    from tests.webclient.staff.conftest import staff_sign_in

    client = world.app.test_client()
    world.clock.advance(hours=1)
    assert staff_sign_in(client, world.emulator, SUPPORT).status_code == 302
    world.clock.advance(hours=-1)
    assert signed_out_of_staff(client)


def test_a_removed_member_is_signed_out_at_the_next_request(world: World) -> None:
    from tests.authz.conftest import ADMIN_ACTOR
    from tests.webclient.staff.conftest import staff_sign_in

    email = "temp.support@qontak.com"
    world.guard.staff.add(email, roles=["support"], by=ADMIN_ACTOR)
    client = world.app.test_client()
    assert staff_sign_in(client, world.emulator, email).status_code == 302
    assert not signed_out_of_staff(client)
    world.guard.staff.remove(email, by=ADMIN_ACTOR)
    assert signed_out_of_staff(client)
