"""OAuth and OpenID Connect flows under attack, and open redirects through ``next``.

Mail sign-in (``/auth``) and staff sign-in (``/staff``) are both attacked: a tampered,
missing or foreign ``state``; a replayed authorization code; a ``redirect_uri`` changed
on its way to Google (the emulator); a narrower scope than asked for. Every ``next``-style
parameter is fed the redirect payloads browsers are known to turn into another origin.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from flask.testing import FlaskClient

from tests.authz.conftest import USER, World, page_token
from tests.webclient.conftest import consent, new_mailbox
from webclient.auth.views import safe_next

EVIL = "evil.example"


def callback_of(world: World, client: FlaskClient, email: str, start: str = "/auth/start"
                ) -> tuple[str, dict[str, list[str]]]:
    """Start a sign-in, consent at the emulator; return the callback path and its query."""
    begun = client.get(start)
    assert begun.status_code == 302
    back = urlsplit(consent(world.emulator, begun.headers["Location"], email))
    return back.path, parse_qs(back.query)


def one(query: dict[str, list[str]], name: str) -> str:
    """Return the single value of ``name`` in a parsed query."""
    return query[name][0]


# -- state ---------------------------------------------------------------------------------

@pytest.mark.parametrize("state", [None, "", "forged", "x" * 300])
def test_a_mail_callback_with_a_bad_or_missing_state_connects_nothing(world: World,
                                                                      state: Any) -> None:
    box = new_mailbox(world.emulator, messages=1)
    client = world.app.test_client()
    path, query = callback_of(world, client, box.email)
    params = {"code": one(query, "code")}
    if state is not None:
        params["state"] = state
    answer = client.get(path, query_string=params)
    assert answer.status_code == 400
    assert world.guard.accounts.list_for(box.email) == ()
    assert client.get("/u/0/f/inbox").status_code == 302


def test_an_attackers_callback_does_not_sign_the_victim_into_the_attackers_mailbox(
        world: World) -> None:
    attacker_box = new_mailbox(world.emulator, messages=1)
    attacker, victim = world.app.test_client(), world.app.test_client()
    path, query = callback_of(world, attacker, attacker_box.email)
    victim.get("/auth/start")  # the victim has a sign-in of their own under way
    answer = victim.get(path, query_string={k: v[0] for k, v in query.items()})
    assert answer.status_code == 400
    assert victim.get("/u/0/f/inbox").status_code == 302
    assert world.guard.accounts.list_for(attacker_box.email) == ()


def test_a_staff_callback_with_a_forged_or_foreign_state_is_refused(world: World) -> None:
    from tests.webclient.staff.conftest import SUPPORT

    attacker, victim = world.app.test_client(), world.app.test_client()
    path, query = callback_of(world, attacker, SUPPORT, start="/staff/start")
    victim.get("/staff/start")
    for params in ({"code": one(query, "code"), "state": "forged"},
                   {"code": one(query, "code")},
                   {k: v[0] for k, v in query.items()}):
        answer = victim.get(path, query_string=params)
        assert answer.status_code == 400, params
    assert victim.get("/staff/consented").headers["Location"].startswith("/staff/signin")


# -- replayed codes --------------------------------------------------------------------------

def test_a_mail_authorization_code_works_once(world: World) -> None:
    box = new_mailbox(world.emulator, messages=1)
    client = world.app.test_client()
    path, query = callback_of(world, client, box.email)
    params = {k: v[0] for k, v in query.items()}
    assert client.get(path, query_string=params).status_code == 302
    # The same answer again, in the same browser and in a new sign-in of another browser.
    assert client.get(path, query_string=params).status_code == 400
    thief = world.app.test_client()
    begun = parse_qs(urlsplit(thief.get("/auth/start").headers["Location"]).query)
    replay = thief.get(path, query_string={"code": params["code"],
                                           "state": one(begun, "state")})
    assert replay.status_code == 400
    assert thief.get("/u/0/f/inbox").status_code == 302


def test_a_staff_authorization_code_works_once(world: World) -> None:
    from tests.webclient.staff.conftest import SUPPORT

    client = world.app.test_client()
    path, query = callback_of(world, client, SUPPORT, start="/staff/start")
    params = {k: v[0] for k, v in query.items()}
    assert client.get(path, query_string=params).status_code == 302
    thief = world.app.test_client()
    begun = parse_qs(urlsplit(thief.get("/staff/start").headers["Location"]).query)
    replay = thief.get(path, query_string={"code": params["code"],
                                           "state": one(begun, "state")})
    assert replay.status_code == 400
    assert thief.get("/staff/consented").headers["Location"].startswith("/staff/signin")


# -- redirect_uri tampering at the emulator ---------------------------------------------------

#: Redirect URIs an attacker would put in the authorization request. (The emulator, like
#: Google for loopback addresses, accepts any port and query on a registered http URI's
#: host and path; both still land on MailGuard's own callback, so they are not listed.)
TAMPERED_REDIRECTS = (
    f"https://{EVIL}/auth/callback",
    f"http://localhost.{EVIL}/auth/callback",
    f"http://localhost/auth/callback.{EVIL}",
    "http://localhost/auth/callback/../../evil",
    f"http://localhost@{EVIL}/auth/callback",
    "javascript:alert(1)//http://localhost/auth/callback",
)


def with_redirect(url: str, redirect_uri: str) -> str:
    """Return ``url`` with its ``redirect_uri`` replaced."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["redirect_uri"] = redirect_uri
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.mark.parametrize("start", ["/auth/start", "/staff/start"])
@pytest.mark.parametrize("redirect_uri", TAMPERED_REDIRECTS)
def test_google_refuses_a_tampered_redirect_uri(world: World, start: str,
                                                redirect_uri: str) -> None:
    url = world.app.test_client().get(start).headers["Location"]
    answer = requests.get(with_redirect(url, redirect_uri), allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert "redirect_uri" in answer.text
    assert "Location" not in answer.headers


def test_a_code_cannot_be_redeemed_for_another_redirect_uri(world: World) -> None:
    from tests.webclient.conftest import CLIENT_ID, CLIENT_SECRET

    box = new_mailbox(world.emulator, messages=1)
    client = world.app.test_client()
    _path, query = callback_of(world, client, box.email)
    answer = requests.post(world.emulator.url + "token", data={
        "grant_type": "authorization_code", "code": one(query, "code"),
        "redirect_uri": f"https://{EVIL}/auth/callback", "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "code_verifier": "x" * 43}, timeout=10)
    assert answer.status_code == 400
    assert "access_token" not in answer.text


# -- scope downgrade -------------------------------------------------------------------------

@pytest.mark.parametrize("scope", ["openid email profile",
                                   "openid email https://www.googleapis.com/auth/gmail.readonly",
                                   "https://www.googleapis.com/auth/gmail.modify"])
def test_a_narrower_scope_than_asked_connects_nothing(world: World, scope: str) -> None:
    box = new_mailbox(world.emulator, messages=1)
    client = world.app.test_client()
    url = client.get("/auth/start").headers["Location"]
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["scope"] = scope
    back = urlsplit(consent(world.emulator, urlunsplit(parts._replace(
        query=urlencode(query))), box.email))
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code in (400, 403)
    assert world.guard.accounts.list_for(box.email) == ()
    assert client.get("/u/0/f/inbox").status_code == 302


# -- open redirects --------------------------------------------------------------------------

#: Targets that leave the site, or that browsers turn into another origin.
OFFSITE = (
    f"https://{EVIL}/", f"//{EVIL}/", f"///{EVIL}/", f"/\\{EVIL}/", f"\\\\{EVIL}/",
    f"/\t/{EVIL}/", f"/\n/{EVIL}/", f"/\r/{EVIL}/", f"\t//{EVIL}/", f" //{EVIL}/",
    f"/\x00/{EVIL}/", "javascript:alert(1)", "data:text/html,<script>1</script>",
    f"https:{EVIL}", f"/%09/{EVIL}/",
)


def leaves_the_site(location: str) -> bool:
    """Return whether a browser following ``location`` would leave this origin."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00 ").replace("\\", "/")
    parts = urlsplit(cleaned)
    return bool(parts.scheme or parts.netloc) and parts.netloc not in ("", "localhost")


def test_the_browser_model_catches_the_known_tricks() -> None:
    assert leaves_the_site(f"//{EVIL}/") and leaves_the_site(f"/\t/{EVIL}")
    assert leaves_the_site(f"/\\{EVIL}") and not leaves_the_site("/u/0/f/inbox")


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_next_refuses_every_offsite_target(target: str) -> None:
    kept = safe_next(target)
    assert kept is None or not leaves_the_site(kept), repr(kept)


def redirect_after(world: World, role: str, where: str, target: str) -> Any:
    """Send ``target`` as the ``next`` of one entry point; return the answer that follows."""
    client = world.clone(role)
    token = page_token(client, "/auth/accounts")
    if where == "language":
        return client.post("/language", data={"csrf_token": token, "next": target,
                                              "lang": "en"})
    if where == "act":
        return client.post("/u/0/act", data={"csrf_token": token, "action": "read",
                                              "thread_ids": world.mine.thread,
                                              "next": target})
    if where == "label":
        return client.post("/u/0/labels", data={"csrf_token": token, "name": "",
                                                 "next": target})
    return client.post(f"/u/0/m/{world.mine.first}/trust-sender",
                       data={"csrf_token": token, "next": target})


@pytest.mark.parametrize("where", ["language", "act", "label", "trust-sender"])
@pytest.mark.parametrize("target", OFFSITE)
def test_no_next_parameter_redirects_off_the_site(world: World, where: str,
                                                  target: str) -> None:
    answer = redirect_after(world, USER, where, target)
    assert answer.status_code == 302
    assert not leaves_the_site(answer.headers["Location"]), answer.headers["Location"]


@pytest.mark.parametrize("target", OFFSITE)
def test_no_next_survives_a_mail_sign_in(world: World, target: str) -> None:
    box = new_mailbox(world.emulator, messages=1)
    client = world.app.test_client()
    assert client.get("/auth/signin", query_string={"next": target}).status_code == 200
    path, query = callback_of(world, client, box.email)
    answer = client.get(path, query_string={k: v[0] for k, v in query.items()})
    assert answer.status_code == 302
    assert not leaves_the_site(answer.headers["Location"]), answer.headers["Location"]


@pytest.mark.parametrize("target", OFFSITE)
def test_no_next_survives_a_staff_sign_in(world: World, target: str) -> None:
    from tests.webclient.staff.conftest import SUPPORT

    client = world.app.test_client()
    assert client.get("/staff/signin", query_string={"next": target}).status_code == 200
    path, query = callback_of(world, client, SUPPORT, start="/staff/start")
    answer = client.get(path, query_string={k: v[0] for k, v in query.items()})
    assert answer.status_code == 302
    assert not leaves_the_site(answer.headers["Location"]), answer.headers["Location"]


@pytest.mark.parametrize("target", OFFSITE)
def test_the_back_link_of_a_conversation_stays_on_the_site(world: World, target: str) -> None:
    page = world.clone(USER).get(f"/u/0/t/{world.mine.thread}",
                                 query_string={"from": target})
    assert page.status_code == 200
    hrefs = re.findall(r'href="([^"]*)"', page.get_data(as_text=True))
    assert [h for h in map(html.unescape, hrefs) if leaves_the_site(h)] == []

