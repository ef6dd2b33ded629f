"""The one scanner for address lists: a header's (commas, groups) and a typed field's.

``guard.mail_headers.top_level_pieces`` splits at the separators outside quotes, angle
brackets and comments; the header reading stops at a group's ``:``, the compose page's
recipients field (commas, semicolons, line breaks) takes ``:`` as a character.
"""

from __future__ import annotations

import pytest

from guard.mail_headers import top_level_pieces

HEADER = {"separators": ",", "groups": True}
#: As the web client's compose page splits a recipients field.
TYPED = {"separators": ",;\n", "groups": False}


@pytest.mark.parametrize(("value", "how", "pieces"), [
    ("a@x.org, b@y.org", HEADER, ["a@x.org", " b@y.org"]),
    ('"Doe, John" <j@x.org>, b@y.org', HEADER, ['"Doe, John" <j@x.org>', " b@y.org"]),
    ("Ana (a, b) <a@x.org>, b@y.org", HEADER, ["Ana (a, b) <a@x.org>", " b@y.org"]),
    ('"Say \\"hi, there\\"" <a@x.org>', HEADER, ['"Say \\"hi, there\\"" <a@x.org>']),
    ("<a,b@x.org>, c@y.org", HEADER, ["<a,b@x.org>", " c@y.org"]),
    ("a@x.org; b@y.org", HEADER, ["a@x.org; b@y.org"]),
    ("Team: a@x.org, b@y.org;", HEADER, None),
    ('"Team: all" <t@x.org>', HEADER, ['"Team: all" <t@x.org>']),
    ("a@x.org; b@y.org\nc@z.org, d@w.org", TYPED,
     ["a@x.org", " b@y.org", "c@z.org", " d@w.org"]),
    ('"Doe; John" <j@x.org>; b@y.org', TYPED, ['"Doe; John" <j@x.org>', " b@y.org"]),
    ("Team: a@x.org", TYPED, ["Team: a@x.org"]),
    ("Ana (x; y\\) z) <a@x.org>;b@y.org", TYPED, ["Ana (x; y\\) z) <a@x.org>", "b@y.org"]),
    ("stray > , a@x.org", TYPED, ["stray > ", " a@x.org"]),
])
def test_an_address_list_splits_at_its_top_level_separators(value, how, pieces):
    assert top_level_pieces(value, **how) == pieces

