"""An id that no Gmail object can have is 'not found' (or a bad form), not 'mail unavailable'.

The audit log refuses to record an id with a control character; before the web client
checked ids, a NUL typed into a mail URL made the page say the mail was unavailable.
"""

from __future__ import annotations

import pytest

from tests.webclient.conftest import post


@pytest.mark.parametrize("path", [
    "/u/0/t/%00x",
    "/u/0/m/abc%0A/frame",
    "/u/0/m/abc/a/%00",
    "/u/0/label/Label_1%00",
    "/u/0/compose?mode=reply&message=%00",
    "/u/0/compose?draft=a%0Db",
])
def test_a_mail_url_with_a_control_character_is_not_found(signed_in, path):
    for language, title in (("en", "Not found"), ("id", "Tidak ditemukan")):
        answer = signed_in.get(path, headers={"Accept-Language": language})
        assert answer.status_code == 404
        assert f"<h1>{title}" in answer.get_data(as_text=True)


@pytest.mark.parametrize(("path", "form"), [
    ("/u/0/act", {"action": "read", "thread_ids": "abc\x00"}),
    ("/u/0/compose", {"action": "send", "to": "a@example.org", "forward_of": "x\x00"}),
    ("/u/0/drafts/autosave", {"subject": "s", "draft_id": "d\n1"}),
])
def test_a_form_with_an_impossible_id_is_refused_as_malformed(signed_in, mailbox, path, form):
    before = len(mailbox.state.list_messages(label_ids=["SENT"]))
    assert post(signed_in, path, form).status_code == 400
    assert len(mailbox.state.list_messages(label_ids=["SENT"])) == before
