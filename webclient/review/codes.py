"""The audit log's codes as words in the reviewer's language, each kept beside its code.

An entry records actor kinds, staff roles, bases and outcomes as codes. The review pages
show each as a word the reader understands and, when the word differs from the code (in
Indonesian, or for ``ops`` and ``not_found``), the code in parentheses after it: the code
is what the search filters, the CLI and exports take, so a reviewer can copy it exactly.
A code not listed here (a composite outcome such as ``delivered:200``) is shown as it is.
The pages word codes in the request's language; the compliance report, which ``mailguard
report`` also builds outside a request, passes its own ``Translator.tr``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from webclient.review.text import tr

Words = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Worded:
    """A code and the word the page shows for it."""

    word: str
    code: str

    @property
    def differs(self) -> bool:
        """Return True when the word is not the code itself (so the code is shown too)."""
        return self.word != self.code

    @property
    def text(self) -> str:
        """Return the word with the code in parentheses after it where they differ."""
        return f"{self.word} ({self.code})" if self.differs else self.word


def _actor_kinds(tr: Words = tr) -> dict[str, str]:
    return {"user": tr("user"), "staff": tr("staff"), "system": tr("system")}


def _roles(tr: Words = tr) -> dict[str, str]:
    return {"support": tr("support"), "security": tr("security"), "legal": tr("legal"),
            "ops": tr("operations")}


def _bases(tr: Words = tr) -> dict[str, str]:
    return {"consent": tr("consent"), "security": tr("security"), "legal": tr("legal"),
            "aggregate": tr("aggregate"), "feature": tr("feature"), "merger": tr("merger")}


def _outcomes(tr: Words = tr) -> dict[str, str]:
    return {"view": tr("viewed"), "no_content": tr("no content"), "refused": tr("refused"),
            "blocked": tr("blocked"), "not_found": tr("not found"),
            "pending": tr("waiting for approval"), "active": tr("active"), "ok": tr("done")}


_WORDS: Mapping[str, Callable[[Words], dict[str, str]]] = {
    "actor_kind": _actor_kinds, "role": _roles, "basis": _bases, "outcome": _outcomes}


def worded(kind: str, code: str, *, words: Words = tr) -> Worded:
    """Return ``code`` (of ``kind``: actor_kind, role, basis, outcome) with its word.

    :param words: the translating function (the request's language by default).
    """
    return Worded(word=_WORDS[kind](words).get(code, code), code=code)


def basis_or_kind(code: str) -> Worded:
    """Return a chart's access series worded: a basis, or the actor kind of an access
    without one (an owner's or a system job's)."""
    return worded("basis" if code in _bases() else "actor_kind", code)
