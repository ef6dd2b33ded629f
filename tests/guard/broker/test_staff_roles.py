"""Adding staff as an integrator might: one role given as a plain string."""

from __future__ import annotations

import pytest

from guard.staff import StaffError, StaffRegistry
from tests.guard.broker.conftest import ADMIN


def test_one_role_given_as_a_string_is_refused_saying_to_give_a_list(
        staff: StaffRegistry) -> None:
    with pytest.raises(StaffError, match=r"as a list, e\.g\. \['security'\]"):
        staff.add("new@qontak.com", roles="security", by=ADMIN)  # type: ignore[arg-type]
    assert staff.get("new@qontak.com") is None
