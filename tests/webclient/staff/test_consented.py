"""Support sees exactly the consented messages, sanitised, watermarked, never cached."""

from __future__ import annotations

from audit import AuditQuery
from tests.webclient.conftest import deliver
from tests.webclient.staff.conftest import (
    OPS,
    SECURITY_1,
    SUPPORT,
    give_consent,
    guard_of,
    revoke_consent,
    thread_of_two,
)


def staff_views(app, **filters):
    """Return (decision, rule) of each staff view the broker or the console decided."""
    return [(e.decision, e.rule_id) for e in guard_of(app).audit.query(
        AuditQuery(actor_kind="staff", action="messages.get", **filters))
        if e.outcome in ("view", "refused")]


def test_support_opens_the_consented_message_watermarked(app, staff_client, user):
    _thread, first, _reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    agent = staff_client(SUPPORT)
    page = agent.get(f"/staff/consented?ref={consent.id}", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Invoice 42 is wrong" in text
    assert "My bank PIN" not in text and "Re: Invoice 42" not in text
    assert page.headers["Cache-Control"] == "no-store"
    assert f"{SUPPORT} · Support · consent {consent.id}" in text
    assert 'class="staff-watermark"' in text
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in text
    assert f'src="/staff/consented/{consent.id}/m/{first}/frame"' in text
    frame = agent.get(f"/staff/consented/{consent.id}/m/{first}/frame")
    body = frame.get_data(as_text=True)
    assert frame.status_code == 200
    assert "The total should be 420." in body
    assert f"{SUPPORT} · Support · consent {consent.id}" in body
    assert "sandbox" in frame.headers["Content-Security-Policy"]
    assert "script-src 'none'" in frame.headers["Content-Security-Policy"]
    assert frame.headers["Cache-Control"] == "no-store"
    assert staff_views(app) == [("allow", "consent.allowed")] * 2


def test_the_message_next_to_it_in_the_thread_is_404_and_recorded(app, staff_client, user):
    thread, first, reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    agent = staff_client(SUPPORT)
    for path in (f"/staff/consented/{consent.id}/m/{reply}",
                 f"/staff/consented/{consent.id}/m/{reply}/frame"):
        refused = agent.get(path)
        assert refused.status_code == 404
        assert "My bank PIN" not in refused.get_data(as_text=True)
    assert staff_views(app) == [("deny", "consent.message_not_covered")] * 2
    entry = next(iter(guard_of(app).audit.query(AuditQuery(actor_kind="staff",
                                                           decision="deny"))))
    assert entry.basis == "consent" and entry.basis_ref == consent.id
    assert thread not in {r.id for r in entry.resources}


def test_after_the_user_revokes_the_agent_is_refused(app, staff_client, user):
    _thread, first, _reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    agent = staff_client(SUPPORT)
    assert agent.get(f"/staff/consented/{consent.id}").status_code == 200
    revoke_consent(app, user, consent.id)
    for path in (f"/staff/consented/{consent.id}",
                 f"/staff/consented/{consent.id}/m/{first}/frame"):
        assert agent.get(path).status_code == 404
    assert staff_views(app) == [("allow", "consent.allowed"), ("deny", "consent.revoked"),
                                ("deny", "consent.revoked")]


def test_the_consent_lapses_at_its_expiry(app, staff_client, user, clock):
    message = deliver(user, subject="Lapsing", text="for a day")
    consent = give_consent(app, user, [message.id], days=1)
    clock.advance(hours=7)
    agent = staff_client(SUPPORT)  # back after hours away: signed in again
    assert agent.get(f"/staff/consented/{consent.id}").status_code == 200
    clock.advance(hours=18)
    agent = staff_client(SUPPORT)
    assert agent.get(f"/staff/consented/{consent.id}").status_code == 404
    assert staff_views(app)[-1] == ("deny", "consent.expired")


def test_a_consent_for_one_member_is_not_for_another_role(app, staff_client, user):
    message = deliver(user, subject="Only for Sari")
    consent = give_consent(app, user, [message.id], grantee=SUPPORT)
    assert staff_client(SUPPORT).get(f"/staff/consented/{consent.id}").status_code == 200
    assert staff_client(SECURITY_1).get(f"/staff/consented/{consent.id}").status_code == 404
    assert staff_views(app) == [("allow", "consent.allowed"), ("deny", "consent.wrong_grantee")]


def test_an_unknown_consent_reference_is_404_and_recorded(app, staff_client):
    assert staff_client(SUPPORT).get("/staff/consented/cns_nothing").status_code == 404
    assert staff_views(app) == [("deny", "consent.missing")]


def test_operations_staff_have_no_consented_section(app, staff_client, user):
    message = deliver(user, subject="Not for ops")
    consent = give_consent(app, user, [message.id])
    ops = staff_client(OPS)
    assert ops.get("/staff/consented").status_code == 404
    assert ops.get(f"/staff/consented/{consent.id}").status_code == 404
    refusals = list(guard_of(app).audit.query(AuditQuery(actor_kind="staff",
                                                         decision="deny")))
    assert [(e.action, e.rule_id) for e in refusals] == [
        ("console.consented", "staff.basis_not_allowed")] * 2


def test_a_hostile_html_message_is_sanitised_in_the_frame(app, staff_client, user):
    message = deliver(user, subject="Hostile", text="plain",
                      html_body='<p>Hi</p><script>alert(1)</script>'
                                '<img src="https://tracker.example/p.gif">'
                                '<style>div{display:none!important}</style>')
    consent = give_consent(app, user, [message.id])
    body = staff_client(SUPPORT).get(
        f"/staff/consented/{consent.id}/m/{message.id}/frame").get_data(as_text=True)
    assert "<script" not in body and "tracker.example" not in body
    assert 'data-watermark="staff"' in body and "display:flex!important" in body


def test_support_sees_recipient_names_as_text(app, staff_client, user):
    raw = (b"From: Ann <ann@example.org>\r\nTo: " + user.email.encode()
           + b", =?utf-8?q?Jos=C3=A9_=C3=81lvarez?= <jose@example.org>\r\n"
           b"Cc: =?utf-8?q?Siti_Rah=C3=A4yu?= <siti@example.org>\r\n"
           b"Subject: Rapat\r\nDate: Sat, 01 Mar 2025 10:00:00 +0700\r\n\r\nHalo.\r\n")
    message = user.state.add_message(raw, label_ids=["INBOX"])
    consent = give_consent(app, user, [message.id])
    text = staff_client(SUPPORT).get(f"/staff/consented?ref={consent.id}",
                                     follow_redirects=True).get_data(as_text=True)
    assert "José Álvarez &lt;jose@example.org&gt;" in text
    assert "Siti Rahäyu &lt;siti@example.org&gt;" in text
    assert "=?utf-8?" not in text


def test_the_consent_names_the_grantee_role_in_the_readers_language(app, staff_client, user):
    _thread, first, _reply = thread_of_two(user)
    consent = give_consent(app, user, [first])
    agent = staff_client(SUPPORT)
    english = agent.get(f"/staff/consented?ref={consent.id}", follow_redirects=True)
    assert "The user agreed that Support may view these messages" in english.get_data(
        as_text=True)
    agent.set_cookie("mailguard_lang", "id")
    indonesian = agent.get(f"/staff/consented?ref={consent.id}", follow_redirects=True)
    assert "Pengguna menyetujui bahwa Dukungan boleh melihat" in indonesian.get_data(
        as_text=True)
