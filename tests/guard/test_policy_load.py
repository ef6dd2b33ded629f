"""Loading the policy file: the shipped file, its version, and every kind of bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyConfigError
from guard.policy import Policy, load_policy, parse_policy
from guard.policy.vocabulary import AccessBasis, DataClass, TransferBasis

SHIPPED = Path("config/policy.toml").read_text(encoding="utf-8")


def test_shipped_policy_loads_with_the_stricter_reading(policy: Policy) -> None:
    assert set(policy.purposes) == {"email.read", "email.compose", "email.send",
                                    "email.organize", "email.search", "email.sync",
                                    "email.process"}
    assert policy.purposes["email.sync"].system and not policy.purposes["email.sync"].users
    assert policy.staff.second_approval == {AccessBasis.SECURITY, AccessBasis.LEGAL}
    assert policy.staff.roles["ops"].bases == {AccessBasis.AGGREGATE}
    crm = policy.transfers.recipients["qontak-crm"]
    assert (crm.basis, crm.requires_user_consent) == (TransferBasis.FEATURE, True)
    assert crm.data_classes == {DataClass.METADATA, DataClass.CONTENT}
    assert list(policy.transfers.recipients) == ["qontak-crm"]
    assert policy.aggregates.min_group_size == 50
    assert len(policy.version) == 64


def test_version_ignores_formatting_and_follows_content(policy: Policy) -> None:
    reformatted = "\n\n# a comment\n" + SHIPPED.replace(" = ", "=")
    assert parse_policy(reformatted).version == policy.version
    changed = SHIPPED.replace("max_grant_hours = 72", "max_grant_hours = 48")
    assert parse_policy(changed).version != policy.version


def test_defaults_make_the_same_version_as_spelling_them_out(policy: Policy) -> None:
    without = SHIPPED.replace("max_consent_days = 30\n", "")
    assert parse_policy(without).version == policy.version


def test_loaded_policy_cannot_be_changed(policy: Policy) -> None:
    with pytest.raises(AttributeError):
        policy.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.purposes["advertising.serving"] = policy.purposes["email.read"]  # type: ignore


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "key", "line_needle", "says"), [
    ('[purposes."email.search"]', '[purposes."advertising.targeting"]',
     'purposes."advertising.targeting"', "advertising.targeting", "prohibited"),
    ('[purposes."email.search"]', '[purposes."ai_training.general"]',
     'purposes."ai_training.general"', "ai_training.general", "can never be allowed"),
    ('[purposes."email.search"]', '[purposes."data_sale.broker"]',
     'purposes."data_sale.broker"', "data_sale.broker", "prohibited"),
    ('[purposes."email.search"]', '[purposes."credit.scoring"]',
     'purposes."credit.scoring"', "credit.scoring", "prohibited"),
    ('[purposes."email.search"]', '[purposes."email.mine"]',
     'purposes."email.mine"', "email.mine", "allowed: email.compose"),
    ('actions = ["messages.send", "drafts.send", "settings.sendAs.list"]',
     'actions = ["messages.send", "mail.burn"]',
     'purposes."email.send".actions', '"mail.burn"', "unknown Gmail action 'mail.burn'"),
    ('actions = ["messages.send", "drafts.send", "settings.sendAs.list"]',
     'actions = []',
     'purposes."email.send".actions', 'actions = []', "empty list allows nothing"),
    ('actors = ["system"]', 'actors = ["staff"]', 'purposes."email.sync".actors',
     'actors = ["staff"]', "allowed: system, user"),
    ('jobs = ["gmail-sync"]', 'jobs = ["gmail-sync"]\ncron = "x"', "system.cron", "cron = ",
     "allowed here: jobs"),
    ("max_grant_hours = 72", "max_grant_hourz = 72", "staff.max_grant_hourz",
     "max_grant_hourz", "allowed here: max_grant_hours"),
    ("max_grant_hours = 72", "max_grant_hours = 0", "staff.max_grant_hours",
     "max_grant_hours", "allowed: 1 to 720"),
    ("max_consent_days = 30", 'max_consent_days = "30"', "staff.max_consent_days",
     "max_consent_days", "expected an integer"),
    ('ops = ["aggregate"]', 'ops = ["consent"]', "staff.roles.ops", "ops = ",
     "allowed: aggregate"),
    ('legal = ["legal"]', 'legal = ["security"]', "staff.roles.legal", "legal = [",
     "allowed: aggregate, consent, legal"),
    ('support = ["consent"]', 'support = ["consent"]\njanitor = ["consent"]',
     "staff.roles.janitor", "janitor", "allowed here: support, security, legal, ops"),
    ('support = ["consent"]', "support = []", "staff.roles.support", "support = []",
     "empty list"),
    ('security_categories = ["abuse", "fraud", "security_incident", "bug"]',
     "security_categories = []", "staff.security_categories", "security_categories",
     "empty list"),
    ('category = "crm"', 'category = "advertising"', "transfers.recipients[0].category",
     'category = "advertising"', "may never receive Gmail data"),
    ('category = "crm"', 'category = "data_broker"', "transfers.recipients[0].category",
     'category = "data_broker"', "may never receive Gmail data"),
    ('category = "crm"', 'category = "friends"', "transfers.recipients[0].category",
     'category = "friends"', "allowed: acquirer"),
    ('basis = "feature"', 'basis = "security"', "transfers.recipients[0].basis",
     'basis = "security"', "allow_security_basis = true"),
    ('basis = "feature"', 'basis = "marketing"', "transfers.recipients[0].basis",
     'basis = "marketing"', "allowed: feature, legal, merger"),
    ('data_classes = ["metadata", "content"]', 'data_classes = ["metadata", "contacts"]',
     "transfers.recipients[0].data_classes", "data_classes", "unknown data class 'contacts'"),
    ('basis = "feature"\ndata_classes = ["metadata", "content"]\nrequires_user_consent = true',
     'basis = "merger"\ndata_classes = ["metadata", "content"]\nrequires_user_consent = false',
     "transfers.recipients[0].requires_user_consent", "requires_user_consent = false",
     "explicit prior consent"),
    ("min_group_size = 50", "min_group_size = 9", "aggregates.min_group_size",
     "min_group_size", "allowed: 10 to"),
    ("min_group_size = 50", "min_group_size = 50\nmax_group_size = 1",
     "aggregates.max_group_size", "max_group_size", "allowed here: min_group_size, fields"),
    ('fields = ["mailbox_count"', 'fields = ["subject"', "aggregates.fields", "fields = [",
     "unknown field 'subject'"),
    ("[aggregates]", "[aggregate]", "aggregate", "[aggregate]",
     "allowed here: policy, purposes"),
], ids=lambda v: v if isinstance(v, str) and "." in v and " " not in v else None)
def test_bad_files_name_file_line_key_and_what_is_allowed(
        tmp_path: Path, old: str, new: str, key: str, line_needle: str, says: str) -> None:
    assert old in SHIPPED
    text = SHIPPED.replace(old, new, 1)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy(path)
    error = caught.value
    assert error.file == str(path)
    assert error.key == key
    assert error.line == _line_of(text, line_needle)
    assert str(error).startswith(f"{path}:{error.line}: {key}: ")
    assert says in str(error)


def test_second_recipient_errors_point_at_the_second_table(tmp_path: Path) -> None:
    text = SHIPPED + ('\n[[transfers.recipients]]\nid = "ads"\ncategory = "ad_network"\n'
                      'basis = "feature"\ndata_classes = ["metadata"]\n')
    with pytest.raises(PolicyConfigError) as caught:
        parse_policy(text, source="p.toml")
    assert caught.value.key == "transfers.recipients[1].category"
    assert caught.value.line == _line_of(text, 'category = "ad_network"')


@pytest.mark.parametrize(("text", "key", "says"), [
    ("", "purposes", "missing; define at least one of"),
    ("[purposes]\n", "purposes", "define at least one of"),
    ('[purposes."email.read"]\nactors = ["user"]\n', 'purposes."email.read".actions',
     "missing; list the Gmail actions"),
    ('[purposes."email.read"]\nactions = ["messages.get"]\n', 'purposes."email.read".actors',
     "missing; say who may use"),
    ('[purposes."email.read"]\nactors = ["user"]\nactions = ["messages.get"]\n', "staff.roles",
     "missing; give each staff role its bases"),
    ("[purposes\n", "(file)", "not valid TOML"),
])
def test_incomplete_files(text: str, key: str, says: str) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        parse_policy(text, source="p.toml")
    assert caught.value.key == key
    assert says in str(caught.value)
    assert str(caught.value).startswith("p.toml")
