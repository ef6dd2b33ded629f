"""Hostile policy files that used to load, or failed without naming their line.

Reproduces: a prohibited purpose spelled in another case or with other separators was
reported only as an unknown purpose; a recipient named as a data broker or ad network
under an allowed category loaded; a recipient listed twice under ids differing in case
loaded; a system job or security category listed twice loaded; a non-string policy
description loaded into the effective content; a TOML syntax error (a purpose declared
twice) did not say its line where the error's place goes; a file starting with a byte
order mark was refused as invalid TOML.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyConfigError
from guard.policy import load_policy

SHIPPED = Path("config/policy.toml").read_text(encoding="utf-8")

RECIPIENT = ('\n[[transfers.recipients]]\nid = "{id}"\ncategory = "{category}"\n'
             'basis = "feature"\ndata_classes = ["metadata"]\n')
PURPOSE = ('\n[purposes."{name}"]\ndescription = "x"\nactors = ["user"]\n'
           'actions = ["messages.get"]\n')


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _refused(tmp_path: Path, text: str) -> PolicyConfigError:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"{path}:{error.line}: {error.key}: ")
    return error


@pytest.mark.parametrize("name", ["Advertising.Targeting", "advertising-targeting",
                                  "ads.targeting", "Data-Sale.broker", "AI_Training.general",
                                  "Credit.Lending"])
def test_prohibited_purpose_in_another_spelling_fails_as_prohibited(
        tmp_path: Path, name: str) -> None:
    text = SHIPPED + PURPOSE.format(name=name)
    error = _refused(tmp_path, text)
    assert error.key == f'purposes."{name}"' or error.key == f"purposes.{name}"
    assert error.line == _line_of(text, name)
    assert "prohibited and can never be allowed" in str(error)


@pytest.mark.parametrize(("rid", "category"), [
    ("data-broker-acme", "crm"), ("ad-network", "infrastructure"), ("acme-ads", "crm"),
    ("AdNetwork", "customer_support"), ("qontak-lending", "crm"),
    ("shadow-ai-training", "infrastructure"),
])
def test_recipient_named_as_a_prohibited_kind_fails_under_any_category(
        tmp_path: Path, rid: str, category: str) -> None:
    text = SHIPPED + RECIPIENT.format(id=rid, category=category)
    error = _refused(tmp_path, text)
    assert error.key == "transfers.recipients[1].id"
    assert error.line == _line_of(text, f'id = "{rid}"')
    assert "may never receive Gmail data" in str(error)


def test_recipient_category_in_another_case_fails_as_prohibited(tmp_path: Path) -> None:
    text = SHIPPED + RECIPIENT.format(id="partner", category="Ad_Network")
    error = _refused(tmp_path, text)
    assert error.key == "transfers.recipients[1].category"
    assert "may never receive Gmail data" in str(error)


def test_recipient_listed_twice_under_ids_differing_in_case_fails(tmp_path: Path) -> None:
    text = SHIPPED + RECIPIENT.format(id="Qontak-CRM", category="crm")
    error = _refused(tmp_path, text)
    assert error.key == "transfers.recipients[1].id"
    assert error.line == _line_of(text, 'id = "Qontak-CRM"')
    assert "listed twice" in str(error)


@pytest.mark.parametrize(("old", "new", "key", "says"), [
    ('jobs = ["gmail-sync"]', 'jobs = ["gmail-sync", "gmail-sync"]', "system.jobs",
     "lists a system job twice"),
    ('security_categories = ["abuse", "fraud", "security_incident", "bug"]',
     'security_categories = ["abuse", "fraud", "abuse"]', "staff.security_categories",
     "lists a category twice"),
    ('description = "Gmail data is used only to provide the MailGuard web email client."',
     "description = 5", "policy.description", "expected a string"),
    ('description = "Gmail data is used only to provide the MailGuard web email client."',
     'description = ["x"]', "policy.description", "expected a string"),
])
def test_duplicates_and_wrong_types_that_used_to_load_fail_naming_the_line(
        tmp_path: Path, old: str, new: str, key: str, says: str) -> None:
    assert old in SHIPPED
    text = SHIPPED.replace(old, new, 1)
    error = _refused(tmp_path, text)
    assert error.key == key
    assert error.line == _line_of(text, new.split("\n")[0])
    assert says in str(error)


def test_purpose_declared_twice_names_the_line_of_the_second(tmp_path: Path) -> None:
    text = SHIPPED + PURPOSE.format(name="email.read")
    error = _refused(tmp_path, text)
    assert error.key == "(file)"
    assert error.line == len(SHIPPED.splitlines()) + 2
    assert "not valid TOML" in str(error)


def test_file_starting_with_a_byte_order_mark_loads_as_without(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("\ufeff" + SHIPPED, encoding="utf-8")
    assert load_policy(path).version == load_policy("config/policy.toml").version
