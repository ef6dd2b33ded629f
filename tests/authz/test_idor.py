"""Insecure direct object references: another mailbox's ids pasted into one's own URLs.

Each attack runs both ways (the other user on the owner's ids, the owner on the other
user's ids): the answer is 404, nothing of the victim's mailbox appears in it, the
victim's data is unchanged, and the attempt is in the audit log under the attacker.
Staff attacks use another member's grant, a consent for another role or another mailbox,
and a grant of another role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.authz.conftest import (
    LEGAL_2,
    OTHER,
    OTHER_SECRET,
    OWNER_SECRET,
    OWNER_SUBJECT,
    SECURITY_1,
    SECURITY_2,
    USER,
    Resources,
    World,
    leaks,
    page_token,
)
from tests.webclient.conftest import Mailbox


@dataclass(frozen=True, slots=True)
class Direction:
    """Who attacks whose mailbox."""

    attacker: str
    victim: str

    def ids(self, world: World) -> Resources:
        """Return the victim's resource ids."""
        return world.mine if self.victim == USER else world.theirs

    def mailbox(self, world: World) -> Mailbox:
        """Return the victim's mailbox."""
        return world.owner if self.victim == USER else world.other

    def secrets(self) -> tuple[str, ...]:
        """Return text only the victim's mailbox holds."""
        return (OWNER_SECRET, OWNER_SUBJECT) if self.victim == USER else (OTHER_SECRET,)


DIRECTIONS = [pytest.param(Direction(OTHER, USER), id="other-on-owner"),
              pytest.param(Direction(USER, OTHER), id="owner-on-other")]

#: Mail attacks: (name, method, path template, form fields), ids from the victim.
MAIL_ATTACKS = (
    ("message-frame", "GET", "/u/0/m/{first}/frame", {}),
    ("thread", "GET", "/u/0/t/{thread}", {}),
    ("attachment", "GET", "/u/0/m/{with_attachment}/a/{attachment}?part={attachment_part}",
     {}),
    ("draft-open", "GET", "/u/0/compose?draft={draft}", {}),
    ("draft-by-message", "GET", "/u/0/compose?draft_message={draft_message}", {}),
    ("reply-to", "GET", "/u/0/compose?mode=reply&message={first}", {}),
    ("forward", "GET", "/u/0/compose?mode=forward&message={with_attachment}", {}),
    ("draft-discard", "POST", "/u/0/compose", {"action": "discard", "draft_id": "{draft}"}),
    ("draft-overwrite", "POST", "/u/0/drafts/autosave",
     {"to": "x@example.org", "subject": "mine now", "body": "x", "draft_id": "{draft}"}),
    ("send-forwarding-their-files", "POST", "/u/0/compose",
     {"action": "send", "to": "x@example.org", "subject": "fwd", "body": "x",
      "forward_of": "{with_attachment}"}),
    ("star-thread", "POST", "/u/0/act", {"action": "star", "thread_ids": "{thread}"}),
    ("star-message", "POST", "/u/0/m/{reply}/act", {"action": "star"}),
    ("trash-thread", "POST", "/u/0/act", {"action": "trash", "thread_ids": "{thread}"}),
    ("label-thread", "POST", "/u/0/act",
     {"action": "label", "thread_ids": "{thread}", "label_id": "INBOX"}),
    ("trust-sender", "POST", "/u/0/m/{first}/trust-sender", {}),
    ("share-page", "GET", "/u/0/privacy/share/{first}", {}),
    ("share-agree", "POST", "/u/0/privacy/share/{first}",
     {"agree": "yes", "until": "2030-01-01T00:00:00+00:00", "days": "7", "digest": "x"}),
    ("consent-withdraw", "POST", "/u/0/privacy/consents/{consent}/withdraw", {}),
    ("transfer-consent-withdraw", "POST",
     "/u/0/privacy/transfer-consents/{transfer_consent}/withdraw", {}),
    ("history-message", "GET", "/u/0/privacy/history/m/{first}", {}),
    ("crm-page", "GET", "/u/0/privacy/crm/{thread}", {}),
    ("crm-send", "POST", "/u/0/privacy/crm/{thread}",
     {"target_kind": "contact", "target_name": "X", "recipient": "qontak-crm",
      "data_class": "content"}),
)

#: Attacks whose refusal holds but whose audit entry does not name the id tried.
KNOWN_GAPS: dict[str, Any] = {}


def fill(template: str, ids: Resources) -> str:
    """Return ``template`` with the victim's ids filled in."""
    return template.format(**{n: getattr(ids, n) for n in ids.__dataclass_fields__})


def attacked_ids(path: str, form: dict[str, str]) -> set[str]:
    """Return every id-like value an attack named."""
    parts = path.replace("?", "/").replace("&", "/").replace("=", "/").split("/")
    return {v for v in (*parts, *form.values()) if len(v) > 6}


def assert_refused_and_audited(world: World, role: str, before: int, answer: Any,
                               tried: set[str], secrets: tuple[str, ...]) -> None:
    """Assert a 404 with none of ``secrets`` and an audit entry by ``role`` for the try."""
    assert answer.status_code == 404, answer.get_data(as_text=True)[:300]
    assert leaks(answer, *secrets) == []
    entries = world.entries_since(before, actor_id=world.principal(role))
    assert any(e.decision == "deny" or {r.id for r in e.resources} & tried
               or e.basis_ref in tried for e in entries), \
        [(e.action, e.decision, e.rule_id) for e in entries]


def victim_state(world: World, direction: Direction) -> tuple[Any, ...]:
    """Return what an attack must not change: labels, the draft, the consents."""
    box = direction.mailbox(world)
    ids = direction.ids(world)
    stored = box.state
    guard = world.guard
    return (tuple(sorted(stored.get_message(ids.first).label_ids)),
            tuple(sorted(stored.get_message(ids.reply).label_ids)),
            tuple(sorted(d.id for d in stored.list_drafts())),
            guard.consents.get(ids.consent).revoked_at,
            guard.transfer_consents.get(ids.transfer_consent).revoked_at)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("name", "method", "template", "fields"),
                         [pytest.param(*a, id=a[0], marks=KNOWN_GAPS.get(a[0], ()))
                          for a in MAIL_ATTACKS])
def test_another_mailboxs_ids_are_not_found_and_the_attempt_is_recorded(
        world: World, direction: Direction, name: str, method: str, template: str,
        fields: dict[str, str]) -> None:
    ids = direction.ids(world)
    path = fill(template, ids)
    form = {k: fill(v, ids) for k, v in fields.items()}
    before_state = victim_state(world, direction)
    client = world.clone(direction.attacker)
    before = world.last_seq()
    if method == "GET":
        answer = client.get(path)
    else:
        token = page_token(client, "/auth/accounts")
        answer = client.post(path, data={"csrf_token": token, **form})
    assert_refused_and_audited(world, direction.attacker, before, answer,
                               attacked_ids(path, form), direction.secrets())
    assert victim_state(world, direction) == before_state


def test_a_consent_cannot_open_a_message_of_another_mailbox(world: World) -> None:
    client = world.clone("support")
    before = world.last_seq()
    answer = client.get(f"/staff/consented/{world.mine.consent}/m/{world.theirs.first}")
    assert_refused_and_audited(world, "support", before, answer, {world.theirs.first},
                               (OTHER_SECRET,))


def test_a_consent_covers_its_message_only_not_the_reply_next_to_it(world: World) -> None:
    client = world.clone("support")
    before = world.last_seq()
    answer = client.get(f"/staff/consented/{world.mine.consent}/m/{world.mine.reply}/frame")
    assert_refused_and_audited(world, "support", before, answer, {world.mine.reply},
                               (OWNER_SECRET,))


def test_a_consent_given_to_support_is_refused_to_other_roles(world: World) -> None:
    for role in ("security", "legal", "ops"):
        before = world.last_seq()
        answer = world.clone(role).get(
            f"/staff/consented/{world.mine.consent}/m/{world.mine.first}/frame")
        assert_refused_and_audited(world, role, before, answer, {world.mine.consent},
                                   (OWNER_SECRET,))


def test_a_consent_id_of_nobody_is_refused_and_recorded(world: World) -> None:
    before = world.last_seq()
    answer = world.clone("support").get("/staff/consented/cns_000000000000000000000000")
    assert_refused_and_audited(world, "support", before, answer,
                               {"cns_000000000000000000000000"}, ())


@pytest.mark.parametrize("suffix", ["/m/{first}", "/t/{thread}", "/m/{first}/frame",
                                    "/open?message={first}"])
def test_another_members_grant_is_refused_to_a_member_of_the_same_role(
        world: World, suffix: str) -> None:
    grant = world.approved_grant(SECURITY_2, SECURITY_1, world.owner)
    client = world.clone("security")  # SECURITY_1 approved the grant but does not hold it
    before = world.last_seq()
    answer = client.get(f"/staff/grants/{grant}" + fill(suffix, world.mine),
                        follow_redirects=True)
    assert_refused_and_audited(world, "security", before, answer, {grant}, (OWNER_SECRET,))


@pytest.mark.parametrize("role", ["support", "legal", "ops"])
def test_a_security_grant_is_refused_to_every_other_role(world: World, role: str) -> None:
    before = world.last_seq()
    answer = world.clone(role).get(
        f"/staff/grants/{world.security_grant}/m/{world.mine.first}/frame")
    assert_refused_and_audited(world, role, before, answer,
                               {world.security_grant, world.mine.first}, (OWNER_SECRET,))


def test_a_grant_on_one_mailbox_does_not_open_another_mailboxs_message(world: World) -> None:
    before = world.last_seq()
    answer = world.clone("security").get(
        f"/staff/grants/{world.security_grant}/m/{world.theirs.first}")
    assert_refused_and_audited(world, "security", before, answer, {world.theirs.first},
                               (OTHER_SECRET,))


@pytest.mark.parametrize(("role", "requester"), [("legal", SECURITY_2),
                                                 ("security", LEGAL_2)])
def test_a_member_cannot_approve_a_grant_of_another_role(world: World, role: str,
                                                         requester: str) -> None:
    grant = world.pending_grant(requester, world.owner)
    client = world.clone(role)
    token = page_token(client, "/auth/signin")
    before = world.last_seq()
    answer = client.post(f"/staff/grants/{grant}/approve", data={"csrf_token": token})
    assert_refused_and_audited(world, role, before, answer, {grant}, ())
    assert world.guard.grants.get(grant).approved_by is None


def test_the_holder_cannot_approve_their_own_grant(world: World) -> None:
    grant = world.pending_grant(SECURITY_1, world.owner)
    client = world.clone("security")
    token = page_token(client, "/auth/signin")
    before = world.last_seq()
    answer = client.post(f"/staff/grants/{grant}/approve", data={"csrf_token": token})
    assert answer.status_code == 403
    denied = world.entries_since(before, actor_id=SECURITY_1, decision="deny")
    assert [e.rule_id for e in denied] == ["grant.self_approved"]


@pytest.mark.parametrize("path", ["/u/1/f/inbox", "/u/1/t/{thread}", "/u/1/m/{first}/frame",
                                  "/u/1/privacy/history", "/u/7/privacy/"])
def test_an_account_index_the_user_does_not_have_is_not_found_and_shows_nothing(
        world: World, path: str) -> None:
    answer = world.clone(OTHER).get(fill(path, world.mine))
    assert answer.status_code == 404
    assert leaks(answer, OWNER_SECRET, OWNER_SUBJECT, world.owner.email) == []


def test_an_account_index_the_user_does_not_have_is_recorded(world: World) -> None:
    before = world.last_seq()
    assert world.clone(OTHER).get("/u/1/f/inbox").status_code == 404
    assert world.entries_since(before, actor_id=world.other.email) != []


def test_an_inline_image_url_is_bound_to_its_account_and_signature(world: World) -> None:
    path = world.inline_path
    token = path.rsplit("/", 1)[1]
    client = world.clone(USER)
    assert client.get(path).status_code == 200
    assert client.get(path.replace("/u/0/", "/u/1/")).status_code == 404
    assert client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
                      ).status_code == 404
    payload, _, rest = token.partition(".")
    forged = payload[:-2] + ("xx" if not payload.endswith("xx") else "yy") + "." + rest
    assert client.get(f"/u/0/inline/{forged}").status_code == 404


def test_a_staff_inline_image_url_is_bound_to_its_grant_and_signature(world: World) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from webclient.staff.inline_images import SALT

    path = world.staff_inline_path
    client = world.clone(OTHER)
    assert client.get(path).status_code == 200
    assert client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
                      ).status_code == 404
    signer = URLSafeTimedSerializer(world.app.secret_key, salt=SALT)
    fields = signer.loads(path.rsplit("/", 1)[1])
    # Even a token signed with the app's key gets nothing the grant does not cover: the
    # other mailbox's message (the grant is for the owner's), or the grant of a colleague.
    for index, value in ((5, world.theirs.html_message), (4, world.legal_grant)):
        before = world.last_seq()
        changed = list(fields)
        changed[index] = value
        answer = client.get("/staff/inline/" + signer.dumps(changed))
        assert answer.status_code == 404
        assert not leaks(answer, OWNER_SECRET, OTHER_SECRET)
        if index == 4:
            refused = world.entries_since(before, actor_id=SECURITY_1)
            assert [(e.outcome, e.rule_id) for e in refused] == [
                ("refused", "staff.basis_not_allowed")]
