"""Reply and forward subjects are prefixed as Gmail prefixes them.

A reply starts with one "Re:" and a forward with one "Fwd:" (a leading prefix of the same
kind, in English, German or Indonesian, is not repeated); a prefix of the other kind stays,
so forwarding a reply reads "Fwd: Re: ..." and replying to a forward "Re: Fwd: ...". Both
used to drop every prefix, and a forwarded reply lost the sign that it was one.
"""

from __future__ import annotations

import pytest

from webclient.mail.replies import subject_with


@pytest.mark.parametrize(("prefix", "subject", "expected"), [
    ("Re:", "Anggaran", "Re: Anggaran"),
    ("Re:", "Re: Anggaran", "Re: Anggaran"),
    ("Re:", "RE: re:Anggaran", "Re: Anggaran"),
    ("Re:", "AW: Termin", "Re: Termin"),
    ("Re:", "Balas: Rapat", "Re: Rapat"),
    ("Re:", "Fwd: Laporan", "Re: Fwd: Laporan"),
    ("Re:", "Re: Fwd: Laporan", "Re: Fwd: Laporan"),
    ("Fwd:", "Invoice 42", "Fwd: Invoice 42"),
    ("Fwd:", "Fwd: Invoice 42", "Fwd: Invoice 42"),
    ("Fwd:", "FW: Invoice 42", "Fwd: Invoice 42"),
    ("Fwd:", "Terus: Invoice 42", "Fwd: Invoice 42"),
    ("Fwd:", "Re: Anggaran", "Fwd: Re: Anggaran"),
    ("Fwd:", "Fwd: Re: Anggaran", "Fwd: Re: Anggaran"),
    ("Re:", "", "Re:"),
    ("Fwd:", "  ", "Fwd:"),
])
def test_one_prefix_of_its_own_kind_and_the_other_kind_kept(prefix, subject, expected):
    assert subject_with(prefix, subject) == expected


def test_a_word_that_only_starts_like_a_prefix_is_kept():
    assert subject_with("Re:", "Reuni alumni") == "Re: Reuni alumni"
    assert subject_with("Fwd:", "Fwding rules") == "Fwd: Fwding rules"
