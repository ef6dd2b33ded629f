"""The MIME parser + sanitiser pipeline over the kept fuzz corpus, and a short fuzz run.

The corpus (``tests/hostile/corpus/``) holds the seeds (named after their scenario) and
whatever the atheris runs of ``make hostile`` found worth keeping. Here every corpus file
is replayed, then hypothesis mutates corpus files: the same draws on every run of the
suite, new ones round after round for as long as ``HOSTILE_SECONDS`` allows.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import hostile_seconds
from tests.hostile.malformed import messages
from tests.hostile.mime_pipeline import _ACTIVE, run_pipeline
from tests.hostile.test_malformed_mail import EAI_SENDER

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file())


def test_the_corpus_holds_every_seed_scenario():
    names = {p.name for p in FILES}
    small = {name for name, raw in messages().items() if len(raw) < 100_000}
    assert small <= names


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_corpus_input_passes_the_pipeline_safely(path):
    run_pipeline(path.read_bytes())


@pytest.mark.parametrize("name", ["ten-thousand-parts", "huge-header"])
def test_the_large_seeds_pass_the_pipeline_safely(name):
    run_pipeline(messages()[name])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """Return a corpus file with a few byte-level edits (insert, delete, replace, splice)."""
    data = bytearray(draw(st.sampled_from(FILES)).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(("insert", "delete", "replace", "splice")))
        chunk = draw(st.sampled_from([b"\r\n", b"--", b"=?utf-8?b?", b"?=", b"<script>",
                                      b"boundary=", b"\x00", b"\xff", b"Content-Type: ",
                                      b"multipart/mixed", b"charset=", b"\r\n\r\n"]))
        if edit == "insert":
            data[at:at] = chunk
        elif edit == "splice":
            data[at:at] = draw(st.binary(max_size=16))
        elif edit == "delete":
            del data[at:at + draw(st.integers(1, 32))]
        else:
            data[at:at + len(chunk)] = chunk
    return bytes(data)


def test_mail_to_an_internationalised_address_with_a_name_passes_the_pipeline():
    run_pipeline(EAI_SENDER)


def test_mutated_corpus_inputs_pass_the_pipeline_safely():
    # In the suite the draws are the same every run (tests/conftest.py): one round of
    # them. With HOSTILE_SECONDS each round draws new ones until the budget is spent.
    exploring = bool(os.environ.get("HOSTILE_SECONDS"))
    deadline = time.monotonic() + hostile_seconds(4.0)
    check = settings(max_examples=50 if exploring else 150, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))(
        given(raw=mutated())(run_pipeline))
    rounds = 0
    while rounds == 0 or (exploring and time.monotonic() < deadline):
        check()
        rounds += 1
    assert rounds >= 1


def test_event_handler_words_left_as_escaped_text_are_not_reported_as_active():
    # Found by the mutation run: a lost "<" leaves "img src=x onerror=alert(1)>" as text,
    # which the sanitiser escapes; the detector must look inside tags only.
    raw = (b"From: Old Mailer <old@example.org>\r\nTo: user@qontak-test.test\r\n"
           b"Date: Mon, 3 Mar 2025 09:00:00 +0700\r\nMessage-ID: <x1@example.org>\r\n"
           b"Subject: script\r\nContent-Type: multipart/alternative; boundary=q\r\n\r\n"
           b"--q\r\nContent-Type: text/html\r\n\r\r\n"
           b"img src=x onerror=alert(1)><script>alert(2)</script>\r\n--q")
    run_pipeline(raw)
    assert _ACTIVE.search('<img src=x onerror=alert(1)>')
    assert _ACTIVE.search('<a href="javascript:alert(1)">')
    assert not _ACTIVE.search("img src=x onerror=alert(1)&gt;")
