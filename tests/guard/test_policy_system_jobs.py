"""System job ids in the policy file: plain ids, never named as a prohibited use.

Reproduces: ``[system] jobs`` took any string, so a job named ``ad-audience-builder`` or
``ml-training-export`` loaded and could read every connected mailbox under email.sync,
and a look-alike (``gmail\u2011sync``, a non-breaking hyphen) loaded beside the real
``gmail-sync``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyConfigError
from guard.policy import load_policy

SHIPPED = Path("config/policy.toml").read_text(encoding="utf-8")


def _refused(tmp_path: Path, job: str) -> PolicyConfigError:
    old = 'jobs = ["gmail-sync"]'
    assert old in SHIPPED
    path = tmp_path / "policy.toml"
    path.write_text(SHIPPED.replace(old, f'jobs = ["gmail-sync", "{job}"]'), encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy(path)
    assert caught.value.key == "system.jobs"
    return caught.value


@pytest.mark.parametrize("job", ["ad-audience-builder", "ml-training-export",
                                 "data-broker-feed", "\uff41\uff44\uff53-sync"])
def test_a_job_named_as_a_prohibited_use_is_refused(tmp_path: Path, job: str) -> None:
    assert "prohibited" in _refused(tmp_path, job).problem


@pytest.mark.parametrize("job", ["gmail\u2011sync", "sync job", "sync\u200b"])
def test_a_job_id_outside_plain_ascii_is_refused(tmp_path: Path, job: str) -> None:
    assert "letters a-z, digits" in _refused(tmp_path, job).problem
