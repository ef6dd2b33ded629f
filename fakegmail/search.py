"""Gmail's search syntax (the ``q`` parameter), compiled once and matched against messages.

Supported: ``from: to: cc: bcc: subject: label: in: is: has: filename: category: list:
deliveredto: rfc822msgid: after: before: older: newer: older_than: newer_than: larger:
smaller: size:``, ``"quoted phrases"``, implicit AND, ``OR`` / ``|``, ``{a b}`` (any of),
``a AROUND n b`` (free-text words at most n words apart, in either order),
``-negation``, parentheses (also after an operator: ``subject:(dinner movie)``) and bare
words matched case- and accent-insensitively against the headers, body and attachment
names. A bare word matches any word that starts with it (``invoic`` finds "invoice"); a
quoted phrase matches whole words in sequence. A date (``after:2014/01/01``) means midnight
at the start of that day in Google's Pacific time, as Gmail documents; epoch seconds are
exact.

Unknown ``name:value`` words that are not operators are searched as text, as Gmail does;
a known operator with a value it cannot take raises :class:`QueryError`. The syntax is
read by ``search_syntax``; this module compiles its tree into a matcher.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fakegmail.search_syntax import MAX_NESTING, TEXT_OPERATORS, QueryError, parse_query

__all__ = ["MAX_NESTING", "Query", "QueryError", "SearchDocument", "compile_query",
           "normalize_label_name"]

_TOKEN = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f]")
_ASCII_WORDS = bytes(
    (c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() else 0x20 for c in range(128)
) + bytes([0x20] * 128)
_SIZE = re.compile(r"^([0-9]{1,15})\s*([kmg]?)b?$", re.IGNORECASE)
_AGE = re.compile(r"^([0-9]{1,6})([dmy])$", re.IGNORECASE)
_EPOCH = re.compile(r"^[0-9]{1,12}$")
_DATE_YMD = re.compile(r"^([0-9]{4})[/-]([0-9]{1,2})[/-]([0-9]{1,2})$")
_DATE_MDY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")


def _pacific_time() -> tzinfo:
    """Return Google's Pacific time zone (PST, PDT in summer); fixed UTC-8 without tzdata."""
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:  # pragma: no cover - no time zone data installed
        return timezone(timedelta(hours=-8), "PST")


SEARCH_DATE_ZONE = _pacific_time()
"""Where ``after:``/``before:`` dates start: Gmail reads them as midnight PST."""

_TEXT_FIELDS = {
    "from": ("from",),
    "to": ("to",),
    "cc": ("cc",),
    "bcc": ("bcc",),
    "subject": ("subject",),
    "list": ("list-id",),
    "deliveredto": ("delivered-to",),
}
_FREE_TEXT_HEADERS = ("from", "to", "cc", "bcc", "subject")
_IN_VALUES = {
    "inbox": "inbox",
    "sent": "sent",
    "drafts": "draft",
    "draft": "draft",
    "spam": "spam",
    "trash": "trash",
    "starred": "starred",
    "important": "important",
    "chats": "chat",
    "chat": "chat",
    "unread": "unread",
}
_IS_VALUES = {
    "unread": "unread",
    "starred": "starred",
    "important": "important",
    "chat": "chat",
    "muted": "muted",
}
_CATEGORIES = {
    "primary": "category_personal",
    "personal": "category_personal",
    "social": "category_social",
    "promotions": "category_promotions",
    "updates": "category_updates",
    "forums": "category_forums",
}
if set(_TEXT_FIELDS) != set(TEXT_OPERATORS):  # pragma: no cover - caught by any import
    raise ImportError("search._TEXT_FIELDS and search_syntax.TEXT_OPERATORS disagree")
_SPAM_TRASH = frozenset({("in", "spam"), ("in", "trash"), ("in", "anywhere"),
                         ("label", "spam"), ("label", "trash")})


def normalize_label_name(name: str) -> str:
    """Return the token Gmail's ``label:`` operator uses for a label name."""
    return re.sub(r"[\s/]+", "-", name.strip().lower())


def _fold(text: str) -> str:
    """Lower-case ``text`` and strip accents so "Résumé" and "resume" compare equal."""
    text = text.lower()
    if text.isascii():
        return text
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


@functools.lru_cache(maxsize=32768)
def _words(text: str) -> str:
    """Return ``text`` as its folded words, space-separated with a space at each end.

    Cached across documents: the mailbox builds a fresh :class:`SearchDocument` per query,
    but the header and body strings are the same objects, so each is tokenised once.
    """
    if text.isascii():  # fast path: one C-level pass maps case and punctuation
        return " " + " ".join(text.encode("ascii").translate(_ASCII_WORDS).decode().split()) + " "
    return " " + " ".join(_TOKEN.findall(_fold(text))) + " "


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What search sees of one message: decoded headers, text, labels and sizes."""

    headers: Mapping[str, str]
    body_text: str
    labels: frozenset[str]
    filenames: tuple[str, ...] = ()
    has_attachment: bool = False
    internal_date: float = 0.0
    size: int = 0
    _views: dict[str, str] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def words(self, key: str) -> str:
        """Return the cached folded word string for a header, ``body`` or ``filenames``."""
        cached = self._views.get(key)
        if cached is None:
            if key == "body":
                cached = _words(self.body_text)
            elif key == "filenames":
                cached = _words(" ".join(self.filenames))
            else:
                cached = _words(self.headers.get(key, ""))
            self._views[key] = cached
        return cached


Matcher = Callable[[SearchDocument], bool]


@dataclass(frozen=True, slots=True)
class Query:
    """A compiled search query."""

    text: str
    mentions_spam_or_trash: bool
    _matcher: Matcher = field(repr=False, compare=False)

    def matches(self, doc: SearchDocument) -> bool:
        """Tell whether ``doc`` satisfies the query."""
        return self._matcher(doc)


def compile_query(q: str, *, now: float, owner: str | None = None) -> Query:
    """Parse Gmail search syntax into a :class:`Query`; raise QueryError if it is invalid.

    ``now`` anchors ``older_than:``/``newer_than:``; ``owner`` (the mailbox address) is what
    ``me`` stands for in ``from:me``/``to:me`` (without it, ``from:me`` means sent mail).
    """
    if not isinstance(q, str):
        raise QueryError("pass the search query as a string")
    tree = parse_query(q)
    compiler = _Compiler(now=now, owner=owner.lower() if owner else None)
    matcher = compiler.compile(tree, negated=False)
    return Query(text=q, mentions_spam_or_trash=compiler.spam_or_trash, _matcher=matcher)


# -- compiling ------------------------------------------------------------------------


def _always(doc: SearchDocument) -> bool:
    return True


def _never(doc: SearchDocument) -> bool:
    return False


class _Compiler:
    """Turn the AST into nested closures, resolving operator values once."""

    def __init__(self, *, now: float, owner: str | None) -> None:
        self.now = now
        self.owner = owner
        self.spam_or_trash = False

    def compile(self, node: Any, *, negated: bool) -> Matcher:
        """Compile one AST node."""
        kind = node[0]
        if kind == "and":
            parts = [self.compile(child, negated=negated) for child in node[1]]
            if not parts:
                return _always
            if len(parts) == 1:
                return parts[0]
            return lambda doc: all(p(doc) for p in parts)
        if kind == "or":
            parts = [self.compile(child, negated=negated) for child in node[1]]
            if len(parts) == 1:
                return parts[0]
            return lambda doc: any(p(doc) for p in parts)
        if kind == "not":
            inner = self.compile(node[1], negated=not negated)
            return lambda doc: not inner(doc)
        if kind == "around":
            _, left, right, distance = node
            return _near_matcher(left[2], left[3], right[2], right[3], distance)
        _, op, value, phrase = node
        if op is None:
            return _free_text_matcher(value, phrase)
        return self.operator(op, value, phrase, negated=negated)

    def operator(self, op: str, value: str, phrase: bool, *, negated: bool) -> Matcher:
        """Compile ``op:value``."""
        raw = value.strip()
        low = raw.lower()
        if not raw:
            raise QueryError(f"operator '{op}:' has an empty value; give it one or remove it")
        if (op, low) in _SPAM_TRASH and not negated:
            self.spam_or_trash = True
        if op in _TEXT_FIELDS:
            if low == "me" and op in ("from", "to", "cc", "bcc", "deliveredto"):
                return self.me(op)
            return _text_matcher(_TEXT_FIELDS[op][0], raw, phrase)
        if op == "label":
            return _label_matcher(normalize_label_name(raw))
        if op == "in":
            if low == "anywhere":
                return _always
            token = _IN_VALUES.get(low)
            return _label_matcher(token or normalize_label_name(raw))
        if op == "is":
            if low == "read":
                return lambda doc: "unread" not in doc.labels
            if low == "snoozed":
                return _never
            token = _IS_VALUES.get(low)
            if token is None:
                allowed = ", ".join(sorted([*_IS_VALUES, "read", "snoozed"]))
                raise QueryError(f"is:{raw} is not a state Gmail knows; use one of: {allowed}")
            return _label_matcher(token)
        if op == "has":
            return self.has(low, raw)
        if op == "category":
            token = _CATEGORIES.get(low)
            if token is None:
                raise QueryError(
                    f"category:{raw} is not a Gmail category; use one of: "
                    + ", ".join(sorted(_CATEGORIES))
                )
            return _label_matcher(token)
        if op == "filename":
            return _filename_matcher(low)
        if op == "rfc822msgid":
            wanted = low.strip("<>")
            return lambda doc: doc.headers.get("message-id", "").strip().strip("<>").lower() == (
                wanted
            )
        if op in ("after", "newer", "before", "older"):
            moment = _parse_date(op, raw)
            if op in ("after", "newer"):
                return lambda doc: doc.internal_date >= moment
            return lambda doc: doc.internal_date < moment
        if op in ("older_than", "newer_than"):
            cutoff = self.now - _parse_age(op, raw)
            if op == "newer_than":
                return lambda doc: doc.internal_date > cutoff
            return lambda doc: doc.internal_date < cutoff
        limit = _parse_size(op, raw)
        if op == "smaller":
            return lambda doc: doc.size < limit
        return lambda doc: doc.size > limit

    def me(self, op: str) -> Matcher:
        """Compile ``from:me`` and friends."""
        if self.owner is not None:
            return _text_matcher(_TEXT_FIELDS[op][0], self.owner, True)
        if op == "from":
            return lambda doc: "sent" in doc.labels or "draft" in doc.labels
        return lambda doc: "sent" not in doc.labels

    def has(self, low: str, raw: str) -> Matcher:
        """Compile ``has:``."""
        if low == "attachment":
            return lambda doc: doc.has_attachment
        if low == "userlabels":
            return lambda doc: any(label.startswith("label_") for label in doc.labels)
        if low == "nouserlabels":
            return lambda doc: not any(label.startswith("label_") for label in doc.labels)
        extensions = {
            "document": ("doc", "docx", "odt", "gdoc"),
            "spreadsheet": ("xls", "xlsx", "ods", "csv", "gsheet"),
            "presentation": ("ppt", "pptx", "odp", "gslides"),
            "pdf": ("pdf",),
        }.get(low)
        if extensions is None:
            raise QueryError(
                f"has:{raw} is not supported; use has:attachment, has:userlabels, "
                "has:nouserlabels, has:document, has:spreadsheet, has:presentation or has:pdf"
            )
        suffixes = tuple("." + ext for ext in extensions)
        return lambda doc: any(name.lower().endswith(suffixes) for name in doc.filenames)


def _label_matcher(token: str) -> Matcher:
    """Match documents carrying the label token."""
    return lambda doc: token in doc.labels


def _text_matcher(key: str, value: str, phrase: bool) -> Matcher:
    """Match words of ``value`` in the document's ``key`` view (prefix for bare words)."""
    words = _TOKEN.findall(_fold(value))
    if not words:
        return _always
    needle = " " + " ".join(words) + (" " if phrase else "")
    return lambda doc: needle in doc.words(key)


def _free_text_matcher(value: str, phrase: bool) -> Matcher:
    """Match words of ``value`` in any searched header, the body or an attachment name."""
    words = _TOKEN.findall(_fold(value))
    if not words:
        return _always
    needle = " " + " ".join(words) + (" " if phrase else "")
    keys = (*_FREE_TEXT_HEADERS, "body", "filenames")
    return lambda doc: any(needle in doc.words(key) for key in keys)


def _near_matcher(left: str, left_phrase: bool, right: str, right_phrase: bool,
                  distance: int) -> Matcher:
    """Match two free-text terms with at most ``distance`` words between them, in one field."""
    left_words = _TOKEN.findall(_fold(left))
    right_words = _TOKEN.findall(_fold(right))
    if not left_words or not right_words:
        return _always
    keys = (*_FREE_TEXT_HEADERS, "body")

    def match(doc: SearchDocument) -> bool:
        for key in keys:
            words = doc.words(key).split()
            lefts = _spans(words, left_words, left_phrase)
            rights = _spans(words, right_words, right_phrase) if lefts else []
            if any(max(b_start - a_end, a_start - b_end) - 1 <= distance
                   for a_start, a_end in lefts for b_start, b_end in rights):
                return True
        return False

    return match


def _spans(words: list[str], wanted: list[str], phrase: bool) -> list[tuple[int, int]]:
    """Return (first, last) word indexes where ``wanted`` occurs (last word as a prefix)."""
    size = len(wanted)
    found = []
    for start in range(len(words) - size + 1):
        window = words[start:start + size]
        if window[:-1] == wanted[:-1] and (
                window[-1] == wanted[-1] or not phrase and window[-1].startswith(wanted[-1])):
            found.append((start, start + size - 1))
    return found


def _filename_matcher(low: str) -> Matcher:
    """Match an attachment name, a word of it, or its extension."""
    words = _TOKEN.findall(_fold(low))
    needle = " " + " ".join(words)

    def match(doc: SearchDocument) -> bool:
        for name in doc.filenames:
            folded = name.lower()
            if folded == low or folded.endswith("." + low) or (words and needle in _words(name)):
                return True
        return False

    return match


def _parse_date(op: str, raw: str) -> float:
    """Read ``YYYY/MM/DD`` or ``MM/DD/YYYY`` (midnight Pacific time) or epoch seconds."""
    if _EPOCH.match(raw):
        return float(raw)
    found = _DATE_YMD.match(raw)
    parts = (found.group(1), found.group(2), found.group(3)) if found else None
    if parts is None and (found := _DATE_MDY.match(raw)):
        parts = (found.group(3), found.group(1), found.group(2))
    if parts is not None:
        try:
            return datetime(int(parts[0]), int(parts[1]), int(parts[2]),
                            tzinfo=SEARCH_DATE_ZONE).timestamp()
        except ValueError:
            pass
    raise QueryError(
        f"{op}:{raw} is not a date; write it as YYYY/MM/DD (e.g. {op}:2024/01/31) "
        "or as epoch seconds"
    )


def _parse_age(op: str, raw: str) -> float:
    """Read ``Nd``, ``Nm`` or ``Ny`` as seconds."""
    found = _AGE.match(raw)
    if found is None:
        raise QueryError(
            f"{op}:{raw} is not an age; write a number and d, m or y, e.g. {op}:7d or {op}:2m"
        )
    unit = {"d": 86400.0, "m": 30 * 86400.0, "y": 365 * 86400.0}[found.group(2).lower()]
    return int(found.group(1)) * unit


def _parse_size(op: str, raw: str) -> int:
    """Read a byte count with an optional K, M or G suffix."""
    found = _SIZE.match(raw)
    if found is None:
        raise QueryError(
            f"{op}:{raw} is not a size; write bytes or a number with K or M, e.g. {op}:10M"
        )
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[found.group(2).lower()]
    return int(found.group(1)) * scale
