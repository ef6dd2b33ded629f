"""Send-as aliases from the account's Gmail settings: offered as From, and treated as the
writer's own addresses when a reply-all chooses its recipients."""

from __future__ import annotations

import email
import email.policy
import html

from tests.webclient.conftest import control, deliver, post
from tests.webclient.test_compose import form_fields

ALIAS = "sales@toko-ayu.test"


def _add_alias(emulator, mailbox) -> None:
    control(emulator, "POST", "accounts", {"email": mailbox.email,
                                           "send_as": [{"email": ALIAS, "name": "Toko Ayu"}]})


def test_an_alias_is_offered_and_a_message_goes_out_from_it(signed_in, mailbox, web_emulator):
    _add_alias(web_emulator, mailbox)
    page = signed_in.get("/u/0/compose").get_data(as_text=True)
    assert f'<option value="Toko Ayu &lt;{ALIAS}&gt;"' in page
    post(signed_in, "/u/0/compose", {"action": "send", "from": f"Toko Ayu <{ALIAS}>",
                                     "to": "buyer@example.org", "subject": "Pesanan",
                                     "body": "Terima kasih."})
    sent = [email.message_from_bytes(m.raw, policy=email.policy.default)
            for m in mailbox.state.list_messages(label_ids=["SENT"])]
    ours = [m for m in sent if m["Subject"] == "Pesanan"]
    assert [m["From"].addresses[0].addr_spec for m in ours] == [ALIAS]


def test_reply_all_leaves_out_the_writers_aliases(signed_in, mailbox, web_emulator):
    _add_alias(web_emulator, mailbox)
    original = deliver(mailbox, subject="Stok", sender="Budi <budi@example.org>",
                       to=f"Toko Ayu <{ALIAS}>, rina@example.org",
                       cc=f"{mailbox.email}, Sales Team <SALES@toko-ayu.test>")
    page = signed_in.get(f"/u/0/compose?mode=reply_all&message={original.id}").get_data(
        as_text=True)
    fields = {name: html.unescape(value) for name, value in form_fields(page).items()}
    recipients = f"{fields.get('to', '')},{fields.get('cc', '')}".lower()
    assert "budi@example.org" in recipients and "rina@example.org" in recipients
    assert ALIAS not in recipients and mailbox.email not in recipients


def test_a_reply_page_asks_gmail_for_the_send_as_addresses_once(signed_in, mailbox,
                                                                 web_emulator):
    # the recipients and the From choices both need them; each ask is also an audit entry
    original = deliver(mailbox, subject="Stok", sender="Budi <budi@example.org>")
    control(web_emulator, "DELETE", "stats")
    page = signed_in.get(f"/u/0/compose?mode=reply_all&message={original.id}")
    assert page.status_code == 200
    methods = control(web_emulator, "GET", "stats")["methods"]
    assert methods["gmail.users.settings.sendAs.list"]["calls"] == 1


def _draft_from(mailbox, draft_id: str) -> str:
    raw = mailbox.state.get_draft(draft_id).message.raw
    return email.message_from_bytes(raw, policy=email.policy.default)["From"].addresses[
        0].addr_spec


def test_an_autosave_keeps_an_alias_from(signed_in, mailbox, web_emulator):
    _add_alias(web_emulator, mailbox)
    saved = post(signed_in, "/u/0/drafts/autosave", {"from": f"Toko Ayu <{ALIAS}>",
                                                     "to": "buyer@example.org", "body": "x"})
    assert _draft_from(mailbox, saved.json["draft_id"]) == ALIAS


def test_an_autosave_cannot_write_a_from_that_is_not_the_accounts(signed_in, mailbox):
    saved = post(signed_in, "/u/0/drafts/autosave", {"from": "CEO <ceo@bank.example>",
                                                     "to": "buyer@example.org", "body": "x"})
    assert saved.status_code == 200
    assert _draft_from(mailbox, saved.json["draft_id"]) == mailbox.email
