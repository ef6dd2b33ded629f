"""Opening a log that must already exist (create=False, read_only) at a path where there is
no file refuses without leaving an empty database file behind, where a later open would
then start a new, empty log instead of failing again."""

from __future__ import annotations

import pytest

from audit import AuditError, AuditLog

from .conftest import HMAC_KEY


@pytest.mark.parametrize("options", [{"create": False}, {"read_only": True},
                                     {"create": False, "read_only": True}])
@pytest.mark.parametrize("spelling", ["path", "url", "uri"])
def test_a_missing_file_is_refused_and_not_created(tmp_path, options, spelling):
    path = tmp_path / "mistyped.db"
    url = {"path": str(path), "url": f"sqlite:///{path}",
           "uri": f"sqlite:///file:{path}?uri=true"}[spelling]
    with pytest.raises(AuditError) as caught:
        AuditLog.open(url, hmac_key=HMAC_KEY, **options)
    assert "audit" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_create_false_still_opens_an_existing_log(tmp_path):
    path = tmp_path / "audit.db"
    with AuditLog.open(path, hmac_key=HMAC_KEY) as log:
        log.append({"actor_kind": "system", "actor_id": "sync", "action": "history.list",
                    "purpose": "email.sync", "decision": "allow"})
    with AuditLog.open(path, hmac_key=HMAC_KEY, create=False) as log:
        assert log.size() == 1
