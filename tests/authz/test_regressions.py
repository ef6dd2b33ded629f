"""Bugs the authorization suites found, each reproduced by name."""

from __future__ import annotations

from tests.authz.conftest import OTHER, World, page_token


def test_next_with_a_tab_after_the_slash_does_not_redirect_to_another_site(
        world: World) -> None:
    client = world.clone(OTHER)
    answer = client.post("/language", data={"csrf_token": page_token(client, "/auth/accounts"),
                                            "next": "/\t/evil.example/", "lang": "en"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_next_with_a_line_break_is_not_a_server_error(world: World) -> None:
    client = world.clone(OTHER)
    answer = client.post("/language", data={"csrf_token": page_token(client, "/auth/accounts"),
                                            "next": "/\n/evil.example/", "lang": "en"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_withdrawing_another_users_consent_is_refused_and_recorded(world: World) -> None:
    consent = world.new_consent(world.owner, world.mine.first)
    client = world.clone(OTHER)
    before = world.last_seq()
    answer = client.post(f"/u/0/privacy/consents/{consent}/withdraw",
                         data={"csrf_token": page_token(client, "/auth/accounts")})
    assert answer.status_code == 404
    assert world.guard.consents.get(consent).revoked_at is None
    [entry] = world.entries_since(before, actor_id=world.other.email)
    assert (entry.action, entry.decision, entry.rule_id, entry.basis_ref) == (
        "consent.revoke", "deny", "consent.other_mailbox", consent)
    # The owner's access history can show the attempt: it is filed under their mailbox.
    assert world.entries_since(before, mailbox=world.owner.email) == [entry]


def test_withdrawing_another_users_transfer_consent_is_refused_and_recorded(
        world: World) -> None:
    consent = world.new_transfer_consent(world.owner)
    client = world.clone(OTHER)
    before = world.last_seq()
    answer = client.post(f"/u/0/privacy/transfer-consents/{consent}/withdraw",
                         data={"csrf_token": page_token(client, "/auth/accounts")})
    assert answer.status_code == 404
    assert world.guard.transfer_consents.get(consent).revoked_at is None
    [entry] = world.entries_since(before, actor_id=world.other.email)
    assert (entry.action, entry.decision, entry.rule_id) == (
        "transfer_consent.revoke", "deny", "transfer.consent_mismatch")


def test_withdrawing_an_unknown_consent_id_is_recorded(world: World) -> None:
    client = world.clone(OTHER)
    before = world.last_seq()
    answer = client.post("/u/0/privacy/consents/cns_000000000000000000000000/withdraw",
                         data={"csrf_token": page_token(client, "/auth/accounts")})
    assert answer.status_code == 404
    [entry] = world.entries_since(before, actor_id=world.other.email)
    assert (entry.decision, entry.rule_id) == ("deny", "consent.missing")
