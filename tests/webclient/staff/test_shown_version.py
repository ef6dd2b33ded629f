"""Staff see a message as its owner's conversation page shows it: the sanitised HTML when
the page shows the HTML, the plain text when the page falls back to it, in the words of
the reader's language."""

from __future__ import annotations

from tests.webclient.conftest import deliver
from tests.webclient.staff.conftest import SUPPORT, give_consent


def staff_frame(app, staff_client, user, message, *, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    """Return the body frame a support agent is shown for ``message`` under a consent."""
    consent = give_consent(app, user, [message.id])
    agent = staff_client(SUPPORT)
    agent.set_cookie("mailguard_lang", language)
    answer = agent.get(f"/staff/consented/{consent.id}/m/{message.id}/frame")
    assert answer.status_code == 200
    return str(answer.get_data(as_text=True))


def test_the_html_the_owner_saw_not_the_plain_alternative(app, staff_client, user):
    message = deliver(user, subject="Two versions", text="Words only the plain part has.",
                      html_body="<p>Words the <b>HTML</b> shows.</p>")
    body = staff_frame(app, staff_client, user, message)
    assert "Words the <b>HTML</b> shows." in body
    assert "Words only the plain part has." not in body


def test_html_that_shows_nothing_falls_back_to_the_text_as_for_the_owner(app, staff_client,
                                                                          user):
    message = deliver(user, subject="Script only", text="The plain words the owner read.",
                      html_body="<script>alert(1)</script><svg><text>x</text></svg>")
    body = staff_frame(app, staff_client, user, message)
    assert "The plain words the owner read." in body
    assert "<script" not in body


def test_a_blocked_image_is_named_in_the_staff_members_language(app, staff_client, user):
    message = deliver(user, subject="Gambar", text="plain",
                      html_body='<p>Lihat</p><img src="https://images.example/a.png">')
    body = staff_frame(app, staff_client, user, message, language="id")
    assert "Gambar jarak jauh diblokir" in body
    assert "Remote image blocked" not in body and "images.example" not in body
