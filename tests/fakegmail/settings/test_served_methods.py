"""Which Gmail methods the emulator serves: every one but delegation, client-side
encryption and S/MIME, which answer a Gmail-shaped 501."""

from __future__ import annotations

from fakegmail.app import create_app
from fakegmail.discovery import gmail_methods

UNSERVED_FAMILIES = ("gmail.users.settings.delegates.", "gmail.users.settings.cse.",
                     "gmail.users.settings.sendAs.smimeInfo.")


def _served() -> set[str]:
    app = create_app()
    return {getattr(view, "gmail_method_id", None) for view in app.view_functions.values()
            } - {None}


def test_every_method_but_delegation_cse_and_smime_is_served():
    expected = {m for m in gmail_methods() if not m.startswith(UNSERVED_FAMILIES)}
    assert expected - _served() == set()


def test_delegation_cse_and_smime_are_left_to_the_501():
    unserved = {m for m in gmail_methods() if m.startswith(UNSERVED_FAMILIES)}
    assert unserved
    assert unserved & _served() == set()
