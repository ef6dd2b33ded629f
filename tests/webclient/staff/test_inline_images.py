"""Staff see a granted message's inline images as its owner does: through the console's own
route, under the same grant, each fetch decided and recorded by the guard.

The console had no route to them, so an HTML body made only of inline images showed staff
an empty frame where its owner saw the pictures. A user's consent still shows no image:
the owner agreed to the message's text, and to its attachments' names but not contents.
A consented body made only of inline images showed staff a frame of empty images; it now
shows the text version, or says its content is images the consent does not cover.
"""

from __future__ import annotations

import html
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from audit import AuditQuery
from tests.webclient.conftest import PNG_1X1, csrf_token, deliver
from tests.webclient.staff.conftest import SECURITY_1, SECURITY_2, SUPPORT, give_consent, guard_of
from webclient.mail.parts import FILE_CSP
from webclient.staff.inline_images import SALT

IMAGES_ONLY = '<p><img src="cid:banner1" alt=""></p>'


def inline_src(frame: str) -> str:
    """Return the one inline image URL a frame shows."""
    found = re.findall(r'src="(/staff/inline/[^"]+)"', frame)
    assert len(found) == 1, frame
    return html.unescape(found[0])


def part_views(app, message_id: str | None = None) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Return (decision, rule, outcome) of the staff views of message parts."""
    return [(e.decision.value, e.rule_id, e.outcome) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff")) if e.action == "attachments.get"
        and e.outcome in ("view", "refused") and (message_id is None or any(
            r.kind.value == "message" and r.id == message_id for r in e.resources))]


def approved_grant(staff_client, mailbox: str, requester_email: str,  # type: ignore[no-untyped-def]
                   approver_email: str, hours: str = "0.25"):
    """Return (requester's client, grant id) of an approved security grant on ``mailbox``."""
    requester, approver = staff_client(requester_email), staff_client(approver_email)
    answer = requester.post("/staff/grants/new", data={
        "csrf_token": csrf_token(requester, "/staff/grants/new"), "basis": "security",
        "mailbox": mailbox, "case_id": "SEC-9", "category": "abuse", "hours": hours})
    grant = answer.headers["Location"].rsplit("/", 1)[1]
    approved = approver.post(f"/staff/grants/{grant}/approve", data={
        "csrf_token": csrf_token(approver, "/staff/grants")})
    assert approved.status_code == 302
    return requester, grant


def test_a_granted_image_only_body_shows_its_images(app, staff_client, user, clock):
    message = deliver(user, subject="Banner", text="The text version nobody reads.",
                      html_body=IMAGES_ONLY, inline_png="banner1")
    requester, grant = approved_grant(staff_client, user.email, SECURITY_1, SECURITY_2)
    frame = requester.get(f"/staff/grants/{grant}/m/{message.id}/frame").get_data(
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
    assert part_views(app, message.id) == [("allow", "security.allowed", "view")]
    entry = [e for e in guard_of(app).audit.query(AuditQuery(actor_kind="staff"))
             if e.action == "attachments.get" and e.outcome == "view"][0]
    assert entry.basis == "security" and entry.basis_ref == grant
    assert {r.kind.value for r in entry.resources} == {"message", "attachment", "grant"}
    clock.advance(minutes=20)  # past the grant, within the staff session's idle time
    assert app.test_client().get(src).status_code == 404
    assert part_views(app, message.id)[-1] == ("deny", "grant.expired", "refused")


def test_a_consented_frame_shows_no_image(app, staff_client, user):
    message = deliver(user, subject="Banner", html_body=IMAGES_ONLY, inline_png="banner1")
    consent = give_consent(app, user, [message.id])
    answer = staff_client(SUPPORT).get(f"/staff/consented/{consent.id}/m/{message.id}/frame")
    frame = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "/staff/inline/" not in frame and "cid:" not in frame
    assert part_views(app) == []


def consented_frame(app, staff_client, user, message, *, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    """Return the frame a support agent is shown for ``message`` under the user's consent."""
    consent = give_consent(app, user, [message.id])
    agent = staff_client(SUPPORT)
    agent.set_cookie("mailguard_lang", language)
    answer = agent.get(f"/staff/consented/{consent.id}/m/{message.id}/frame")
    assert answer.status_code == 200
    return html.unescape(answer.get_data(as_text=True))


def test_a_consented_image_only_body_shows_its_text_version(app, staff_client, user):
    # The owner sees the images; the consent covers the text, so staff see the text
    # version rather than a frame of empty images.
    message = deliver(user, subject="Banner", text="Our summer sale starts Monday.",
                      html_body=IMAGES_ONLY, inline_png="banner1")
    frame = consented_frame(app, staff_client, user, message)
    assert "Our summer sale starts Monday." in frame
    assert "<img" not in frame and "/staff/inline/" not in frame
    assert part_views(app) == []


@pytest.mark.parametrize(("language", "note"), [
    ("en", "This message's content is images, which the user's consent does not cover"),
    ("id", "Isi pesan ini berupa gambar, yang tidak tercakup dalam persetujuan pengguna"),
])
def test_a_consented_image_only_body_without_text_says_why_nothing_is_shown(
        app, staff_client, user, language, note):
    message = deliver(user, subject="Banner", text="", html_body=IMAGES_ONLY,
                      inline_png="banner1")
    frame = consented_frame(app, staff_client, user, message, language=language)
    assert note in frame
    assert "<img" not in frame and "/staff/inline/" not in frame
    assert part_views(app) == []


def test_a_consented_body_with_text_and_images_still_shows_its_html_text(app, staff_client,
                                                                          user):
    message = deliver(user, subject="Banner", text="The plain version.",
                      html_body='<p>Words the <b>HTML</b> shows.</p><img src="cid:banner1">',
                      inline_png="banner1")
    frame = consented_frame(app, staff_client, user, message)
    assert "Words the <b>HTML</b> shows." in frame
    assert "The plain version." not in frame and "/staff/inline/" not in frame


def test_a_url_repointed_to_a_colleagues_grant_is_refused(app, staff_client, user):
    message = deliver(user, subject="Banner", html_body=IMAGES_ONLY, inline_png="banner1")
    requester, mine = approved_grant(staff_client, user.email, SECURITY_1, SECURITY_2)
    _colleague, theirs = approved_grant(staff_client, user.email, SECURITY_2, SECURITY_1)
    src = inline_src(requester.get(f"/staff/grants/{mine}/m/{message.id}/frame")
                     .get_data(as_text=True))
    signer = URLSafeTimedSerializer(app.secret_key, salt=SALT)
    fields = signer.loads(src.rsplit("/", 1)[1])
    fields[4] = theirs
    assert requester.get("/staff/inline/" + signer.dumps(fields)).status_code == 404
    assert part_views(app, message.id) == [("deny", "grant.wrong_staff", "refused")]
    assert requester.get(src[:-3] + "AAA").status_code == 404  # an altered URL


def test_signing_out_ends_the_images_urls(app, staff_client, user):
    message = deliver(user, subject="Banner", html_body=IMAGES_ONLY, inline_png="banner1")
    requester, grant = approved_grant(staff_client, user.email, SECURITY_1, SECURITY_2)
    src = inline_src(requester.get(f"/staff/grants/{grant}/m/{message.id}/frame")
                     .get_data(as_text=True))
    token = csrf_token(requester, "/staff/grants")
    assert requester.post("/staff/signout", data={"csrf_token": token}).status_code == 302
    assert app.test_client().get(src).status_code == 404
    assert part_views(app, message.id) == []
