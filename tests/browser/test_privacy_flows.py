"""The mailbox owner's privacy flows in real Chromium: share one message with support, see
the agent's access and the refusal next to it, withdraw; log a conversation to the CRM and
find it in the history, with exactly the consented data classes received."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from fakegmail.oauth.blueprint import oauth_registry
from fakegmail.server import EmulatorServer
from guard.errors import ConsentRequired
from guard.policy import Actor, ActorKind
from guard.service import Guard
from guard.vault import generate_key
from mailguard.crm_demo import CrmDemoServer
from tests.browser.conftest import CLIENT_ID, CLIENT_SECRET, Reader, Site
from webclient import create_app
from webclient.config import emulator_oauth_client
from webclient.guard_link import guard_settings

AGENT = Actor(kind=ActorKind.STAFF, id="agent@qontak.com", role="support")
ADMIN = Actor(kind=ActorKind.STAFF, id="admin@qontak.com", role="security")


@pytest.fixture(scope="module")
def crm() -> Iterator[CrmDemoServer]:
    """Run the demo CRM on loopback for this module."""
    with CrmDemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, crm: CrmDemoServer) -> Iterator[Site]:
    """Serve the web client whose guard sends ``qontak-crm`` transfers to the demo CRM."""
    folder = tmp_path_factory.mktemp("privacy-site")
    with EmulatorServer() as emulator:
        server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True)
        base = f"http://127.0.0.1:{server.server_port}/"
        oauth_registry(emulator.app).register_client(
            [base + "auth/callback"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        config = {
            "SECRET_KEY": "privacy-browser-secret-key-0123456789",
            "DATABASE_URL": f"sqlite:///{folder / 'mailguard.db'}",
            "TOKEN_KEYS": (generate_key(),),
            "AUDIT_HMAC_KEY": b"privacy-browser-audit-hmac-key-01",
            "AUDIT_SIGNING_KEY_PATH": str(folder / "audit.key"),
            "OAUTH_CLIENT": emulator_oauth_client(emulator.url, CLIENT_ID, CLIENT_SECRET),
            "GMAIL_ROOT_URL": emulator.url,
            "OAUTH_INSECURE_TRANSPORT": True,
            "SESSION_COOKIE_SECURE": False,
        }
        guard = Guard.open(dataclasses.replace(
            guard_settings(config), transfer_endpoints={"qontak-crm": crm.transfer_url}))
        guard.staff.add(AGENT.id, roles=["support"], by=ADMIN)
        app = create_app({**config, "GUARD": guard})
        server.app = app
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(url=base, emulator=emulator, app=app)
        finally:
            server.shutdown()
            server.server_close()
            guard.close()


def conversation(reader: Reader) -> tuple[str, str, str]:
    """Deliver a question and its follow-up in one thread; return thread and message ids."""
    def raw(subject: str, body: str, rfc_id: str, reply_to: str = "") -> bytes:
        extra = f"In-Reply-To: {reply_to}\r\nReferences: {reply_to}\r\n" if reply_to else ""
        return (f"From: Dewi Anggraini <dewi@anggraini.test>\r\nTo: {reader.email}\r\n"
                f"Subject: {subject}\r\nMessage-ID: {rfc_id}\r\n{extra}"
                f"Date: Mon, 03 Mar 2025 09:00:00 +0700\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    first = reader.mailbox.add_message(raw("Pesanan 118", "Kapan pesanan 118 dikirim?",
                                           "<p118@anggraini.test>"))
    second = reader.mailbox.add_message(raw("Re: Pesanan 118", "Nomor rekening saya 12345.",
                                            "<p118-2@anggraini.test>",
                                            "<p118@anggraini.test>"))
    assert first.thread_id == second.thread_id
    return first.thread_id, first.id, second.id


def test_share_one_message_see_the_access_and_withdraw(reader: Reader):
    page, guard = reader.page, reader.site.app.extensions["mailguard.guard"]
    thread_id, first, second = conversation(reader)
    page.goto(f"{reader.site.url}u/0/t/{thread_id}?expand={first}")
    page.locator(f"#m-{first}").get_by_role("link", name="Share with Qontak support").click()
    expect(page.locator("h1")).to_have_text("Share this message with Qontak support")
    expect(page.locator("[data-subject]")).to_have_text("Pesanan 118")
    agree = page.get_by_label("I have read this and I agree")
    expect(agree).not_to_be_checked()
    page.get_by_role("button", name="Share this message").click()  # the tick is required
    expect(page.locator("h1")).to_have_text("Share this message with Qontak support")
    reader.shot("privacy-share")
    agree.check()
    page.get_by_role("button", name="Share this message").click()
    expect(page.locator(".flash")).to_contain_text("Qontak support may now view this message")
    [consent] = guard.consents.for_user(reader.email)
    expect(page.locator(f"#{consent.id}")).to_contain_text("Qontak support staff")

    seen = guard.broker.view_message(AGENT, mailbox=reader.email, message_id=first,
                                     consent_id=consent.id)
    assert seen.headers.subject == "Pesanan 118"
    with pytest.raises(ConsentRequired):
        guard.broker.view_message(AGENT, mailbox=reader.email, message_id=second,
                                  consent_id=consent.id)

    page.get_by_role("link", name="See who accessed your mailbox").click()
    human = page.locator("[data-human] tbody tr")
    expect(human).to_have_count(1)
    expect(human).to_contain_text("Qontak support staff")
    expect(human).to_contain_text(consent.id)
    expect(human).to_contain_text(first)
    refused = page.locator("[data-refusals] tbody tr")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(second)
    reader.shot("privacy-history-access")

    page.get_by_role("link", name="Privacy centre").click()
    page.locator(f"#{consent.id}").get_by_role("button", name="Withdraw consent").click()
    expect(page.locator(".flash")).to_contain_text("Consent withdrawn")
    expect(page.locator(f"#{consent.id}")).to_contain_text("withdrawn on")
    reader.shot("privacy-withdrawn")
    with pytest.raises(ConsentRequired):
        guard.broker.view_message(AGENT, mailbox=reader.email, message_id=first,
                                  consent_id=consent.id)
    assert reader.policy_violations == []


def test_log_a_conversation_to_the_crm_and_find_it_in_the_history(reader: Reader,
                                                                  crm: CrmDemoServer):
    page = reader.page
    thread_id, first, second = conversation(reader)
    page.goto(f"{reader.site.url}u/0/t/{thread_id}")
    page.get_by_role("link", name="Log to Qontak CRM").click()
    expect(page.locator("[data-classes] li")).to_have_count(2)
    expect(page.locator("[data-wording]")).to_contain_text("Qontak CRM")
    page.get_by_label("Log it to").select_option("deal")
    page.get_by_placeholder("Contact or deal name").fill("Pesanan 118 Dewi")
    page.get_by_label("I have read this and I agree").check()
    reader.shot("privacy-crm")
    page.get_by_role("button", name="Log conversation").click()
    page.wait_for_url(f"**/u/0/t/{thread_id}")
    expect(page.locator(".flash")).to_contain_text("Conversation logged to Qontak CRM")

    mine = [r for r in crm.records.all() if r.mailbox == reader.email]
    assert len(mine) == 1
    assert mine[0].data_classes == ("content", "metadata")
    assert set(mine[0].data) == {"target", "metadata", "content"}
    assert [m["id"] for m in mine[0].data["content"]["messages"]] == [first, second]

    page.goto(f"{reader.site.url}u/0/privacy/history")
    sent = page.locator("[data-transfers] tbody tr")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Qontak CRM")
    expect(sent).to_contain_text("metadata (sender, recipients, subject, dates)")
    expect(sent).to_contain_text("content (the text of the messages)")
    expect(sent).to_contain_text(mine[0].transfer_id)
    reader.shot("privacy-history-transfer")
    page.goto(crm.url)
    expect(page.locator(f'[id="{mine[0].transfer_id}"]')).to_contain_text("deal: Pesanan 118 Dewi")
    reader.shot("privacy-crm-received")
    assert reader.policy_violations == []
