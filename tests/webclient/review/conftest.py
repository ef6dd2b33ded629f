"""The review pages against the emulator: staff sign in as in the staff console's tests.

The staff console's fixtures are reused as they are (``web_emulator`` with the staff
callback, ``app`` with the registry filled, ``staff_client``, ``user``, ``clock``).
"""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.webclient.staff.conftest import (  # noqa: F401 - fixtures
    ADMIN,
    LEGAL,
    OPS,
    ROLES,
    SECURITY_1,
    SECURITY_2,
    SUPPORT,
    app,
    clock,
    give_consent,
    guard_of,
    revoke_consent,
    staff_client,
    thread_of_two,
    user,
    web_emulator,
)

REVIEW = "/staff/review/"


def page_csrf(client: FlaskClient, path: str) -> str:
    """Return the CSRF token the page at ``path`` carries."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found is not None, page[:300]
    return found.group(1)


def text_of(answer: Any) -> str:
    """Return a response's body as text."""
    return str(answer.get_data(as_text=True))
