"""Recipient ids in the policy file: plain ASCII ids, never a spelling that hides a name.

Reproduces: a recipient id written in full-width letters (``acme-ａｄｓ``,
``acme-ａｄｎｅｔｗｏｒｋ``, ``acme-ｂｒｏｋｅｒ``) loaded, though the same id in ASCII is refused
as an advertising or data-brokerage recipient; and an id with a Cyrillic letter
(``qontаk-crm``) loaded beside the real ``qontak-crm``, two recipients a reviewer reads as
one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyConfigError
from guard.policy import load_policy

SHIPPED = Path("config/policy.toml").read_text(encoding="utf-8")
RECIPIENT = ('\n[[transfers.recipients]]\nid = "{id}"\ncategory = "crm"\n'
             'basis = "feature"\ndata_classes = ["metadata"]\n')


def _refused(tmp_path: Path, rid: str) -> PolicyConfigError:
    path = tmp_path / "policy.toml"
    path.write_text(SHIPPED + RECIPIENT.format(id=rid), encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy(path)
    assert caught.value.key == "transfers.recipients[1].id"
    return caught.value


@pytest.mark.parametrize("rid", ["acme-\uff41\uff44\uff53", "acme-\uff41\uff44\uff4e\uff45\uff54"
                                 "\uff57\uff4f\uff52\uff4b", "acme-\uff42\uff52\uff4f\uff4b\uff45"
                                 "\uff52", "acme-\uff41\uff44"])
def test_a_prohibited_recipient_in_full_width_letters_is_refused_by_name(
        tmp_path: Path, rid: str) -> None:
    assert "may never receive Gmail data" in str(_refused(tmp_path, rid))


@pytest.mark.parametrize("rid", ["qont\u0430k-crm", "partner\u200b", "crm\u00a0two",
                                 "caf\u00e9-crm", "-crm", "crm/2", "crm two"])
def test_a_recipient_id_outside_plain_ascii_is_refused(tmp_path: Path, rid: str) -> None:
    error = _refused(tmp_path, rid)
    assert "letters a-z, digits" in error.problem


def test_plain_ids_still_load(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(SHIPPED + RECIPIENT.format(id="support-desk_2.eu"), encoding="utf-8")
    assert "support-desk_2.eu" in load_policy(path).transfers.recipients


BASED = ('\n[[transfers.recipients]]\nid = "bigco"\ncategory = "{category}"\n'
         'basis = "{basis}"\ndata_classes = ["content"]\nrequires_user_consent = false\n')


@pytest.mark.parametrize(("category", "basis", "allowed"), [
    ("acquirer", "feature", "merger"),
    ("acquirer", "legal", "merger"),
    ("legal_authority", "feature", "legal"),
    ("crm", "legal", "feature"),
    ("infrastructure", "legal", "feature"),
])
def test_a_recipient_on_a_basis_its_category_never_has_is_refused(
        tmp_path: Path, category: str, basis: str, allowed: str) -> None:
    # Reproduces: an acquirer listed on the feature or legal basis, with
    # requires_user_consent = false, loaded, so Gmail data could go to a buyer without
    # the explicit prior consent a merger transfer needs; and a CRM on the legal basis
    # received data with no consent though it serves a feature.
    path = tmp_path / "policy.toml"
    text = SHIPPED + BASED.format(category=category, basis=basis)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy(path)
    assert caught.value.key == "transfers.recipients[1].basis"
    assert f"allowed for {category}: {allowed}" in caught.value.problem
