"""Every route of the web client, how to call it as each role, and what each role must get.

An expectation is a status, ``"302>login"`` (the mail sign-in page),
``"302>staff-login"`` (the staff sign-in page) or ``"302>any"``; a bare 302 is a redirect
anywhere but a sign-in page (the caller was let in). The
resources in the URLs are the owner's; ``other`` is a Qontak user with a mailbox of their
own, so ``/u/0/`` is *their* mailbox and the owner's ids must be unknown there.

``mail.inline_part`` is a bearer URL by design: the sandboxed message frame has an
opaque origin, so its image requests may come without the session cookie. Its token
binds user, account index, message and part and expires after an hour; the IDOR suite
tests that an altered or re-pointed token is refused. ``staff.inline_part`` is the
console's counterpart: its token binds a live staff session, the grant or consent, the
message and the part, and the guard decides and records each fetch under that evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from tests.authz.conftest import (
    ANON,
    LEGAL_2,
    OTHER,
    SECURITY_2,
    STAFF_ROLES,
    USER,
    World,
    page_token,
)
from tests.webclient.conftest import new_mailbox, sign_in

LOGIN = "302>login"
STAFF_LOGIN = "302>staff-login"
#: A redirect whose target does not matter (sign-out, language, the start of a sign-in).
ANYWHERE = "302>any"

Path = Callable[[World, str], str]
Form = Callable[[World, str, FlaskClient], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Probe:
    """One route called one way: method, path and form per role, expected answer per role."""

    endpoint: str
    method: str
    path: Path
    expect: Mapping[str, str | int]
    form: Form | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    #: Called on a session of its own: the route ends the session it is called with.
    ends_session: bool = False
    #: ends every session of the role's user, the shared client's too (signed in again after)
    ends_every_session: bool = False

    def expected(self, role: str) -> str:
        """Return the expectation for ``role`` as text."""
        return str(self.expect[role])


def roles(*, anon: str | int, user: str | int, other: str | int,
          staff: str | int | None = None, **by_role: str | int) -> dict[str, str | int]:
    """Return an expectation per role; ``staff`` is the default for the four staff roles."""
    table: dict[str, str | int] = {ANON: anon, USER: user, OTHER: other}
    for role in STAFF_ROLES:
        value = by_role.get(role, staff)
        assert value is not None, f"no expectation for {role}"
        table[role] = value
    return table


#: A mail route about a resource of the owner's mailbox.
OWNED = roles(anon=LOGIN, user=200, other=404, staff=LOGIN)
#: A mail route about the caller's own mailbox as a whole.
OWN = roles(anon=LOGIN, user=200, other=200, staff=LOGIN)
#: The same, answered with a redirect inside the mail client.
OWN_REDIRECT = roles(anon=LOGIN, user=302, other=302, staff=LOGIN)
OWNED_REDIRECT = roles(anon=LOGIN, user=302, other=404, staff=LOGIN)
#: Open to everyone.
PUBLIC = roles(anon=200, user=200, other=200, staff=200)
EVERYONE_REDIRECT = roles(anon=ANYWHERE, user=ANYWHERE, other=ANYWHERE, staff=ANYWHERE)
#: A review page: security only; visitors go to the staff sign-in; everyone else 404.
REVIEW = roles(anon=STAFF_LOGIN, user=404, other=404, staff=404, security=200)
REVIEW_REDIRECT = roles(anon=STAFF_LOGIN, user=404, other=404, staff=404, security=302)


def fixed(path: str) -> Path:
    """Return a path builder for a path that is the same for every role."""
    return lambda _world, _role: path


def mine(template: str) -> Path:
    """Return a path builder filling ``{name}`` from the owner's resource ids."""
    return lambda world, _role: template.format(
        **{name: getattr(world.mine, name) for name in world.mine.__dataclass_fields__},
        security_grant=world.security_grant, legal_grant=world.legal_grant)


def csrf(world: World, role: str, client: FlaskClient) -> str:
    """Return a CSRF token of the client's session (any page carries one)."""
    page = "/auth/accounts" if role in (USER, OTHER) else "/auth/signin"
    return page_token(client, page)


def with_token(extra: Mapping[str, Any] | None = None) -> Form:
    """Return a form builder: the session's CSRF token plus ``extra``."""
    return lambda world, role, client: {"csrf_token": csrf(world, role, client),
                                        **(extra or {})}


def owner_form(build: Callable[[World], Mapping[str, Any]]) -> Form:
    """Return a form builder whose fields are computed from the world."""
    return lambda world, role, client: {"csrf_token": csrf(world, role, client),
                                        **build(world)}


def hidden_fields(page: str) -> dict[str, str]:
    """Return a page's hidden form fields except the CSRF token."""
    return {name: value.replace("&#43;", "+").replace("&amp;", "&")
            for name, value in re.findall(
                r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)
            if name != "csrf_token"}


def share_form(world: World, role: str, client: FlaskClient) -> dict[str, Any]:
    """Agree on the share page (the owner reads it first; others send what they guess)."""
    fields = {"until": "2030-01-01T00:00:00+00:00", "days": "7", "digest": "x"}
    if role == USER:
        fields = hidden_fields(client.get(f"/u/0/privacy/share/{world.mine.first}")
                               .get_data(as_text=True))
    return {"csrf_token": csrf(world, role, client), **fields, "agree": "yes"}


def crm_form(world: World, role: str, client: FlaskClient) -> dict[str, Any]:
    """Log the owner's conversation to the CRM (the owner's transfer consent is in force)."""
    return {"csrf_token": csrf(world, role, client), "target_kind": "contact",
            "target_name": "PT Owner", "recipient": "qontak-crm",
            "data_class": ["metadata"]}


def throwaway_consent(world: World, _role: str) -> str:
    """Return the withdraw path of a fresh consent of the owner."""
    return f"/u/0/privacy/consents/{world.new_consent(world.owner, world.mine.first)}/withdraw"


def throwaway_transfer_consent(world: World, _role: str) -> str:
    """Return the withdraw path of a fresh transfer consent of the owner."""
    consent = world.new_transfer_consent(world.owner)
    return f"/u/0/privacy/transfer-consents/{consent}/withdraw"


def spare_account(world: World, role: str) -> str:
    """Connect a spare mailbox as account 1 of the role's user; return its disconnect path."""
    if role in (USER, OTHER):
        spare = new_mailbox(world.emulator, messages=1)
        assert sign_in(world.client(role), world.emulator, spare.email).status_code == 302
        index = next(i for i, row in enumerate(world.guard.accounts.list_for(
            world.principal(role))) if row.email == spare.email)
        return f"/auth/accounts/{index}/disconnect"
    return "/auth/accounts/1/disconnect"


def request_form(world: World, role: str, client: FlaskClient) -> dict[str, Any]:
    """Ask for access to the owner's mailbox on the role's own basis."""
    fields = ({"basis": "legal", "legal_ref": "LR-2025-99"} if role == "legal" else
              {"basis": "security", "case_id": "SEC-77", "category": "fraud"})
    return {"csrf_token": csrf(world, role, client), "mailbox": world.owner.email,
            "hours": "2", **fields}


def second_person_grant(verb: str) -> Path:
    """Return the path to ``verb`` a grant another member of the role asked for."""

    def build(world: World, role: str) -> str:
        requester = LEGAL_2 if role == "legal" else SECURITY_2
        return f"/staff/grants/{world.pending_grant(requester, world.owner)}/{verb}"

    return build


PROBES: tuple[Probe, ...] = (
    # -- pages outside any mailbox
    Probe("pages.index", "GET", fixed("/"),
          roles(anon=LOGIN, user=302, other=302, staff=LOGIN)),
    Probe("pages.health", "GET", fixed("/healthz"), PUBLIC),
    Probe("pages.language", "POST", fixed("/language"), EVERYONE_REDIRECT,
          form=with_token({"lang": "id", "next": "/"})),
    Probe("static", "GET", fixed("/static/app.css"), PUBLIC),
    # -- mail sign-in
    Probe("auth.signin", "GET", fixed("/auth/signin"),
          roles(anon=200, user=302, other=302, staff=200)),
    Probe("auth.start", "GET", fixed("/auth/start"), EVERYONE_REDIRECT),
    Probe("auth.callback", "GET", fixed("/auth/callback"),
          roles(anon=400, user=400, other=400, staff=400)),
    Probe("auth.manage", "GET", fixed("/auth/accounts"), OWN),
    Probe("auth.reconnect", "GET", fixed("/auth/accounts/0/reconnect"), OWN_REDIRECT),
    Probe("auth.disconnect", "POST", spare_account, OWN_REDIRECT, form=with_token()),
    Probe("auth.signout", "POST", fixed("/auth/signout"), EVERYONE_REDIRECT,
          form=with_token(), ends_session=True),
    Probe("auth.signout_everywhere", "POST", fixed("/auth/signout-everywhere"),
          roles(anon=LOGIN, user=ANYWHERE, other=ANYWHERE, staff=LOGIN), form=with_token(),
          ends_session=True, ends_every_session=True),
    # -- the mail client, on the owner's resources
    Probe("mail.home", "GET", fixed("/u/0/"), OWN_REDIRECT),
    Probe("mail.folder", "GET", fixed("/u/0/f/inbox"), OWN),
    Probe("mail.label", "GET", mine("/u/0/label/{label}"), OWNED),
    Probe("mail.search", "GET", fixed("/u/0/search"), OWN, query={"q": "ledger"}),
    Probe("mail.thread", "GET", mine("/u/0/t/{thread}"), OWNED),
    Probe("mail.frame", "GET", mine("/u/0/m/{first}/frame"), OWNED),
    Probe("mail.attachment", "GET", mine("/u/0/m/{with_attachment}/a/{attachment}"), OWNED,
          query={"part": "{attachment_part}"}),
    Probe("mail.inline_part", "GET", lambda world, _role: world.inline_path, PUBLIC),
    Probe("mail.compose", "GET", fixed("/u/0/compose"), OWNED,
          query={"draft": "{draft}"}),
    Probe("mail.submit", "POST", fixed("/u/0/compose"), OWNED_REDIRECT,
          form=owner_form(lambda w: {"action": "save", "to": "ann@example.org",
                                     "subject": "Matrix", "body": "hello",
                                     "draft_id": w.mine.draft})),
    Probe("mail.autosave", "POST", fixed("/u/0/drafts/autosave"), OWNED,
          form=owner_form(lambda w: {"to": "ann@example.org", "subject": "Matrix",
                                     "body": "hello", "draft_id": w.mine.draft})),
    Probe("mail.act", "POST", fixed("/u/0/act"), OWNED_REDIRECT,
          form=owner_form(lambda w: {"action": "star", "thread_ids": w.mine.thread})),
    Probe("mail.message_act", "POST", mine("/u/0/m/{reply}/act"), OWNED_REDIRECT,
          form=with_token({"action": "star"})),
    Probe("mail.undo", "POST", fixed("/u/0/undo"), OWN_REDIRECT, form=with_token()),
    Probe("mail.create_label", "POST", fixed("/u/0/labels"), OWN_REDIRECT,
          form=with_token({"name": "Matrix label"})),
    Probe("mail.trust_sender", "POST", mine("/u/0/m/{first}/trust-sender"), OWNED_REDIRECT,
          form=with_token()),
    # -- the privacy centre
    Probe("privacy.centre", "GET", fixed("/u/0/privacy/"), OWN),
    Probe("privacy.history", "GET", fixed("/u/0/privacy/history"), OWN),
    Probe("privacy.open_message", "GET", mine("/u/0/privacy/history/m/{first}"),
          OWNED_REDIRECT),
    Probe("privacy.share", "GET", mine("/u/0/privacy/share/{first}"), OWNED),
    Probe("privacy.share_agreed", "POST", mine("/u/0/privacy/share/{first}"), OWNED_REDIRECT,
          form=share_form),
    Probe("privacy.withdraw", "POST", throwaway_consent, OWNED_REDIRECT, form=with_token()),
    Probe("privacy.withdraw_transfer", "POST", throwaway_transfer_consent, OWNED_REDIRECT,
          form=with_token()),
    Probe("privacy.crm", "GET", mine("/u/0/privacy/crm/{thread}"), OWNED),
    Probe("privacy.crm_send", "POST", mine("/u/0/privacy/crm/{thread}"), OWNED_REDIRECT,
          form=crm_form),
    # -- the staff console
    Probe("staff.signin", "GET", fixed("/staff/signin"),
          roles(anon=200, user=200, other=200, staff=302)),
    Probe("staff.start", "GET", fixed("/staff/start"), EVERYONE_REDIRECT),
    Probe("staff.callback", "GET", fixed("/staff/callback"),
          roles(anon=400, user=400, other=400, staff=400)),
    Probe("staff.signout", "POST", fixed("/staff/signout"), EVERYONE_REDIRECT,
          form=with_token(), ends_session=True),
    Probe("staff.static", "GET", fixed("/staff/static/staff.css"), PUBLIC),
    Probe("staff.role", "POST", fixed("/staff/role"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, staff=302),
          form=lambda world, role, client: {
              "csrf_token": csrf(world, role, client),
              "role": role if role in STAFF_ROLES else "security"}),
    Probe("staff.home", "GET", fixed("/staff/"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, staff=302)),
    Probe("staff.consented", "GET", fixed("/staff/consented"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, support=200,
                security=200, legal=404, ops=404)),
    Probe("staff.consent_messages", "GET", mine("/staff/consented/{consent}"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, support=200,
                staff=404)),
    Probe("staff.consent_message", "GET", mine("/staff/consented/{consent}/m/{first}"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, support=200,
                staff=404)),
    Probe("staff.consent_frame", "GET", mine("/staff/consented/{consent}/m/{first}/frame"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, support=200,
                staff=404)),
    Probe("staff.grants", "GET", fixed("/staff/grants"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=200,
                legal=200, staff=404)),
    Probe("staff.request_form", "GET", fixed("/staff/grants/new"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=200,
                legal=200, staff=404)),
    Probe("staff.request_access", "POST", fixed("/staff/grants/new"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=302,
                legal=302, staff=404), form=request_form),
    Probe("staff.grant", "GET", mine("/staff/grants/{security_grant}"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=200,
                staff=404)),
    # Opening an id only redirects to the message page, which decides (and 404s).
    Probe("staff.open_in_grant", "GET", mine("/staff/grants/{security_grant}/open"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=302,
                legal=302, staff=404), query={"message": "{first}"}),
    Probe("staff.grant_message", "GET", mine("/staff/grants/{security_grant}/m/{first}"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=200,
                staff=404)),
    Probe("staff.grant_thread", "GET", mine("/staff/grants/{security_grant}/t/{thread}"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=200,
                staff=404)),
    Probe("staff.grant_frame", "GET",
          mine("/staff/grants/{security_grant}/m/{first}/frame"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=200,
                staff=404)),
    Probe("staff.inline_part", "GET", lambda world, _role: world.staff_inline_path, PUBLIC),
    Probe("staff.approve", "POST", second_person_grant("approve"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=302,
                legal=302, staff=404), form=with_token()),
    Probe("staff.refuse_grant", "POST", second_person_grant("refuse"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, security=302,
                legal=302, staff=404), form=with_token()),
    Probe("staff.aggregates", "GET", fixed("/staff/aggregates"),
          roles(anon=STAFF_LOGIN, user=STAFF_LOGIN, other=STAFF_LOGIN, ops=200, staff=404)),
    # -- security review
    Probe("review.search", "GET", fixed("/staff/review/"), REVIEW),
    Probe("review.entry", "GET", fixed("/staff/review/entries/1"), REVIEW),
    Probe("review.integrity", "GET", fixed("/staff/review/integrity"), REVIEW),
    Probe("review.verify", "POST", fixed("/staff/review/integrity/verify"), REVIEW_REDIRECT,
          form=with_token()),
    Probe("review.charts", "GET", fixed("/staff/review/charts"), REVIEW),
    Probe("review.alerts", "GET", fixed("/staff/review/alerts"), REVIEW),
    Probe("review.export", "GET", fixed("/staff/review/export.csv"), REVIEW),
    Probe("review.report", "GET", fixed("/staff/review/report"), REVIEW),
    Probe("review.report_file", "GET", fixed("/staff/review/report.html"), REVIEW),
    Probe("review.static", "GET", fixed("/staff/review/static/review.css"), PUBLIC),
)
