"""Staff see a granted message's inline images as its owner does: through the console's own
route, under the same consent or grant, each fetch decided and recorded by the guard.

The console had no route to them, so an HTML body made only of inline images sanitised to
nothing and staff were shown its text version instead of what the owner read.
"""

from __future__ import annotations

import html
import re

from itsdangerous import URLSafeTimedSerializer

from audit import AuditQuery
from tests.webclient.conftest import PNG_1X1, csrf_token, deliver
from tests.webclient.staff.conftest import (
    SECURITY_1,
    SECURITY_2,
    SUPPORT,
    give_consent,
    guard_of,
    revoke_consent,
)
from webclient.mail.parts import FILE_CSP
from webclient.staff.inline_images import SALT

IMAGES_ONLY = '<p><img src="cid:banner1" alt=""></p>'


def inline_src(frame: str) -> str:
    """Return the one inline image URL a frame shows."""
    found = re.findall(r'src="(/staff/inline/[^"]+)"', frame)
    assert len(found) == 1, frame
    return html.unescape(found[0])


def attachment_views(app, message_id: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Return (decision, rule, outcome) of the staff views of ``message_id``'s parts."""
    return [(e.decision.value, e.rule_id, e.outcome) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff")) if e.action == "attachments.get"
        and any(r.kind.value == "message" and r.id == message_id for r in e.resources)
        and e.outcome in ("view", "refused")]


def test_a_consented_image_only_body_shows_its_images(app, staff_client, user):
    message = deliver(user, subject="Banner", text="The text version nobody reads.",
                      html_body=IMAGES_ONLY, inline_png="banner1")
    consent = give_consent(app, user, [message.id])
    agent = staff_client(SUPPORT)
    frame = agent.get(f"/staff/consented/{consent.id}/m/{message.id}/frame").get_data(
        as_text=True)
    assert "The text version nobody reads." not in frame
    src = inline_src(frame)
    # the sandboxed frame's image request may carry no cookie: the signed URL is enough
    image = app.test_client().get(src)
    assert image.status_code == 200
    assert image.data == PNG_1X1 and image.mimetype == "image/png"
    assert image.headers["Cache-Control"] == "no-store"
    assert image.headers["Content-Security-Policy"] == FILE_CSP
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert attachment_views(app, message.id) == [("allow", "consent.allowed", "view")]
    entry = [e for e in guard_of(app).audit.query(AuditQuery(actor_kind="staff"))
             if e.action == "attachments.get" and e.outcome == "view"][0]
    assert entry.basis == "consent" and entry.basis_ref == consent.id
    assert {r.kind.value for r in entry.resources} >= {"message", "attachment", "consent"}
    revoke_consent(app, user, consent.id)
    assert app.test_client().get(src).status_code == 404
    assert attachment_views(app, message.id)[-1] == ("deny", "consent.revoked", "refused")


def test_an_image_of_a_message_the_consent_does_not_cover_is_refused(app, staff_client,
                                                                      user):
    shared = deliver(user, subject="Banner", html_body=IMAGES_ONLY, inline_png="banner1")
    other = deliver(user, subject="Private banner", html_body=IMAGES_ONLY,
                    inline_png="banner1")
    consent = give_consent(app, user, [shared.id])
    agent = staff_client(SUPPORT)
    src = inline_src(agent.get(f"/staff/consented/{consent.id}/m/{shared.id}/frame")
                     .get_data(as_text=True))
    signer = URLSafeTimedSerializer(app.secret_key, salt=SALT)
    fields = signer.loads(src.rsplit("/", 1)[1])
    fields[6] = other.id
    repointed = "/staff/inline/" + signer.dumps(fields)
    assert agent.get(repointed).status_code == 404
    assert attachment_views(app, other.id) == [("deny", "consent.message_not_covered",
                                                "refused")]
    assert agent.get(src[:-3] + "AAA").status_code == 404  # an altered URL


def test_signing_out_ends_the_images_urls(app, staff_client, user):
    message = deliver(user, subject="Banner", html_body=IMAGES_ONLY, inline_png="banner1")
    consent = give_consent(app, user, [message.id])
    agent = staff_client(SUPPORT)
    src = inline_src(agent.get(f"/staff/consented/{consent.id}/m/{message.id}/frame")
                     .get_data(as_text=True))
    token = csrf_token(agent, "/staff/consented")
    assert agent.post("/staff/signout", data={"csrf_token": token}).status_code == 302
    assert app.test_client().get(src).status_code == 404
    assert attachment_views(app, message.id) == []


def test_a_granted_message_shows_its_images_while_the_grant_is_in_force(app, staff_client,
                                                                        user, clock):
    message = deliver(user, subject="Banner", text="Text version.", html_body=IMAGES_ONLY,
                      inline_png="banner1")
    requester, approver = staff_client(SECURITY_1), staff_client(SECURITY_2)
    answer = requester.post("/staff/grants/new", data={
        "csrf_token": csrf_token(requester, "/staff/grants/new"), "basis": "security",
        "mailbox": user.email, "case_id": "SEC-9", "category": "abuse", "hours": "0.25"})
    grant = answer.headers["Location"].rsplit("/", 1)[1]
    approved = approver.post(f"/staff/grants/{grant}/approve", data={
        "csrf_token": csrf_token(approver, "/staff/grants")})
    assert approved.status_code == 302
    frame = requester.get(f"/staff/grants/{grant}/m/{message.id}/frame").get_data(
        as_text=True)
    assert "Text version." not in frame
    src = inline_src(frame)
    image = app.test_client().get(src)
    assert image.status_code == 200 and image.data == PNG_1X1
    assert attachment_views(app, message.id) == [("allow", "security.allowed", "view")]
    clock.advance(minutes=20)  # past the grant, within the staff session's idle time
    assert app.test_client().get(src).status_code == 404
    assert attachment_views(app, message.id)[-1] == ("deny", "grant.expired", "refused")
