"""Mark Gmail-derived values so they cannot leave MailGuard, or reach ads, unnoticed.

``GmailDerived[T]`` wraps a value with where it came from: the source mailbox, the message
ids and the data class (metadata, content, attachments). Transformations keep the mark:
``value.derive(fn)`` for one value, ``derived(fn)`` for a function of several (the result
carries the union of its arguments' provenance). ``find_provenance`` looks through nested
mappings, sequences, sets and dataclasses, so wrapping a derived value inside another
structure does not hide it. ``AdvertisingSink`` refuses anything that carries the mark.

Slicing, indexing and ``+`` keep the mark; turning a marked value into a plain string
(``str()``, f-strings, ``format``, ``%``) raises ``TypeError`` instead of quietly giving an
unmarked string: use ``derive``. The mail values the guard returns (``Message``, ``Thread``,
``ThreadSummary``, ``AttachmentData`` and the rest of ``guard.mail_values``) count as
Gmail-derived wherever they are nested, exceptions' arguments and causes included. A
value the check cannot look inside without consuming it (an iterator, a generator) or at
all (a function, which may close over one) is refused by the advertising sink.

Security caveat: a caller can still unwrap ``.value`` (or read a field of a mail value) and
copy it into a plain string; the mark makes the safe path the easy one and keeps the
transfer gate and ad sinks honest, it is not taint tracking. ``repr`` never shows the
wrapped value, so logging one leaks nothing.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from audit import AuditLog, ResourceKind
from guard import mail_values
from guard.errors import TransferBlocked
from guard.policy import REASONS, Actor, ActorKind, DataClass, Decision, Policy
from guard.recording import record, refs_of

T = TypeVar("T")
U = TypeVar("U")
P = ParamSpec("P")

MAX_DEPTH = 64
#: The most resources one audit entry names.
_REFS_PER_ENTRY = 1000


@dataclass(frozen=True, slots=True)
class Source:
    """Where a derived value came from: one mailbox, its message ids, the data class."""

    mailbox: str
    message_ids: frozenset[str]
    data_class: DataClass


@dataclass(frozen=True, slots=True, repr=False)
class GmailDerived(Generic[T]):
    """A value derived from Gmail data, carrying its sources."""

    value: T
    sources: frozenset[Source]

    @classmethod
    def of(cls, value: T, *, mailbox: str, message_ids: Iterable[str],
           data_class: DataClass) -> GmailDerived[T]:
        """Wrap ``value`` read from ``message_ids`` of ``mailbox``."""
        if isinstance(message_ids, str | bytes):
            raise TypeError("give the message ids as a list of ids, not one string")
        return cls(value, frozenset({Source(normal_mailbox(mailbox), frozenset(message_ids),
                                            data_class)}))

    def derive(self, fn: Callable[[T], U], *, data_class: DataClass | None = None
               ) -> GmailDerived[U]:
        """Return ``fn(value)`` with this provenance (optionally re-classed, e.g. content
        summarised into metadata keeps every source but names the new class)."""
        sources = self.sources if data_class is None else frozenset(
            Source(s.mailbox, s.message_ids, data_class) for s in self.sources)
        return GmailDerived(fn(self.value), sources)

    @property
    def mailboxes(self) -> frozenset[str]:
        """Return every source mailbox."""
        return frozenset(s.mailbox for s in self.sources)

    @property
    def message_ids(self) -> frozenset[str]:
        """Return every source message id."""
        return frozenset(i for s in self.sources for i in s.message_ids)

    @property
    def data_classes(self) -> frozenset[DataClass]:
        """Return every data class among the sources."""
        return frozenset(s.data_class for s in self.sources)

    def __repr__(self) -> str:
        classes = ",".join(sorted(c.value for c in self.data_classes))
        return (f"GmailDerived(<hidden>, classes={classes}, mailboxes={len(self.mailboxes)}, "
                f"messages={len(self.message_ids)})")

    def __str__(self) -> str:
        raise TypeError("a Gmail-derived value cannot become a plain string, which would "
                        "lose its provenance; use value.derive(str) or derive(...)")

    def __format__(self, spec: str) -> str:
        raise TypeError("a Gmail-derived value cannot be formatted into a plain string, "
                        "which would lose its provenance; use value.derive(...)")

    def __getitem__(self, key: Any) -> GmailDerived[Any]:
        """Return ``value[key]`` (an item or a slice) with this provenance."""
        return GmailDerived(self.value[key], self.sources)  # type: ignore[index]

    def __add__(self, other: Any) -> GmailDerived[Any]:
        """Return ``value + other`` carrying both operands' provenance."""
        if isinstance(other, GmailDerived):
            return GmailDerived(self.value + other.value, self.sources | other.sources)
        return GmailDerived(self.value + other, self.sources)

    def __radd__(self, other: Any) -> GmailDerived[Any]:
        """Return ``other + value`` with this provenance."""
        return GmailDerived(other + self.value, self.sources)


def derived(fn: Callable[P, U]) -> Callable[P, U | GmailDerived[U]]:
    """Make ``fn`` provenance-preserving: Gmail-derived arguments are unwrapped, and the
    result is wrapped with the union of their sources (plain arguments give a plain result).

    Only top-level arguments are unwrapped; nested marks are found and kept, too.
    """
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> U | GmailDerived[U]:
        sources = find_provenance((args, kwargs))
        plain_args = [a.value if isinstance(a, GmailDerived) else a for a in args]
        plain_kwargs = {k: v.value if isinstance(v, GmailDerived) else v
                        for k, v in kwargs.items()}
        result = fn(*plain_args, **plain_kwargs)  # type: ignore[arg-type]
        if not sources:
            return result
        if isinstance(result, GmailDerived):
            return GmailDerived(result.value, result.sources | sources)
        return GmailDerived(result, sources)
    return wrapper


def combine(value: T, *parts: Any) -> T | GmailDerived[T]:
    """Return ``value`` carrying the provenance found in ``parts`` (plain if there is none)."""
    sources = find_provenance(parts)
    return GmailDerived(value, sources) if sources else value


def find_provenance(value: Any) -> frozenset[Source]:
    """Return every Gmail source anywhere inside ``value`` (empty when there is none)."""
    return frozenset(_walk(value, set(), 0))


def carries_gmail_data(value: Any) -> bool:
    """Return True when ``value`` or anything nested in it is Gmail-derived."""
    return next(_walk(value, set(), 0), None) is not None


def unwrap(value: Any) -> Any:
    """Return a plain copy of ``value`` with every mark removed (for serialising only)."""
    if isinstance(value, GmailDerived):
        return unwrap(value.value)
    if isinstance(value, Mapping):
        return {unwrap(k): unwrap(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((unwrap(v) for v in value), key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: unwrap(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


#: The guard's mail values and the data class each holds; a bare one is Gmail-derived.
_MAIL_VALUES: dict[type, DataClass] = {
    mail_values.Message: DataClass.CONTENT, mail_values.Thread: DataClass.CONTENT,
    mail_values.Draft: DataClass.CONTENT, mail_values.AttachmentData: DataClass.ATTACHMENTS,
    mail_values.ThreadSummary: DataClass.METADATA, mail_values.ThreadPage: DataClass.METADATA,
    mail_values.MessageHeaders: DataClass.METADATA,
    mail_values.AttachmentInfo: DataClass.METADATA,
    mail_values.LabelInfo: DataClass.METADATA, mail_values.Profile: DataClass.METADATA,
    mail_values.SendAsAlias: DataClass.METADATA,
    mail_values.HistoryChange: DataClass.METADATA,
    mail_values.HistoryPage: DataClass.METADATA,
    mail_values.InboxListing: DataClass.METADATA,
    mail_values.SentMessage: DataClass.METADATA, mail_values.DraftRef: DataClass.METADATA,
    mail_values.DraftPage: DataClass.METADATA,
}


def normal_mailbox(address: str) -> str:
    """Return a mailbox address as the guard stores it: trimmed and lower-cased."""
    return address.strip().lower()


def _mail_value_source(value: Any, owner: str) -> Source | None:
    """Return the source of one of the guard's mail values.

    ``owner`` is the mailbox the enclosing mark names (``""``: unknown, or several).
    """
    data_class = _MAIL_VALUES.get(type(value))
    if data_class is None:
        return None
    ids: frozenset[str] = frozenset()
    if isinstance(value, mail_values.Message):
        ids = frozenset({value.id})
    elif isinstance(value, mail_values.HistoryChange):
        ids = frozenset({value.message_id})
    return Source(owner, ids, data_class)


def _slot_values(value: Any) -> Iterator[Any]:
    """Yield the values of ``value``'s ``__slots__`` that are set."""
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and hasattr(value, name):
                yield getattr(value, name)


def _walk(value: Any, seen: set[int], depth: int, owner: str = "") -> Iterator[Source]:
    """Yield every source inside ``value``.

    A mail value inside a mark that names one mailbox belongs to that mailbox (the caller
    marked it so); a bare one, or one under a mark of several mailboxes, to none (``""``).
    """
    if isinstance(value, str | bytes | bytearray | int | float | bool | complex) or \
            value is None:
        return
    if depth > MAX_DEPTH:
        raise ValueError("the value nests deeper than the provenance check follows; "
                         "flatten it before passing it on")
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, GmailDerived):
        yield from value.sources
        mailboxes = {s.mailbox for s in value.sources}
        inner = mailboxes.pop() if len(mailboxes) == 1 else ""
        yield from _walk(value.value, seen, depth + 1, inner)
        return
    source = _mail_value_source(value, owner)
    if source is not None:
        yield source
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(key, seen, depth + 1, owner)
            yield from _walk(item, seen, depth + 1, owner)
    elif isinstance(value, Collection):
        for item in value:
            yield from _walk(item, seen, depth + 1, owner)
    elif isinstance(value, Iterator):
        raise ValueError("an iterator or generator cannot be checked for Gmail data without "
                         "consuming it; pass a list instead")
    elif isinstance(value, type):
        return
    elif isinstance(value, BaseException):
        # An exception keeps its arguments and the errors it came from outside __dict__.
        for part in (value.args, value.__cause__, value.__context__, vars(value)):
            yield from _walk(part, seen, depth + 1, owner)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), seen, depth + 1, owner)
    elif callable(value):
        raise ValueError("a function cannot be checked for the Gmail data it may hold; "
                         "pass the values themselves")
    else:
        if hasattr(value, "__dict__"):
            yield from _walk(vars(value), seen, depth + 1, owner)
        for item in _slot_values(value):
            yield from _walk(item, seen, depth + 1, owner)


class AdvertisingSink:
    """An advertising-category destination that refuses Gmail-derived data.

    ``deliver`` receives what is accepted; anything carrying Gmail provenance, however deep,
    raises ``TransferBlocked`` (rule ``prohibited.advertising``) and is audited.
    """

    def __init__(self, *, name: str, policy: Policy, audit: AuditLog,
                 deliver: Callable[[Any], None]) -> None:
        self._actor = Actor(kind=ActorKind.SYSTEM, id=name)
        self._policy = policy
        self._audit = audit
        self._deliver = deliver

    def accept(self, value: Any, *, request_id: str = "") -> None:
        """Pass ``value`` on, unless it carries Gmail data anywhere inside it.

        A value that cannot be checked (nested too deep, an iterator) is refused as well.
        """
        try:
            sources = find_provenance(value)
            uncheckable = False
        except ValueError:
            sources, uncheckable = frozenset(), True
        if not sources and not uncheckable:
            self._deliver(value)
            return
        decision = Decision(False, "prohibited.advertising", REASONS["prohibited.advertising"],
                            "advertising.serving", None, self._policy.version)
        by_mailbox: dict[str, set[str]] = {"": set()} if uncheckable else {}
        for s in sources:
            by_mailbox.setdefault(s.mailbox, set()).update(s.message_ids)
        for mailbox, ids in sorted(by_mailbox.items()):
            refs = refs_of(ResourceKind.MESSAGE, ids)
            # One entry per thousand messages (the most an entry names), so each is named.
            for start in range(0, max(len(refs), 1), _REFS_PER_ENTRY):
                record(self._audit, actor=self._actor, action="advertising.accept",
                       purpose=decision.purpose, allowed=False, rule_id=decision.rule_id,
                       policy_version=decision.policy_version, mailbox=mailbox,
                       resources=refs[start:start + _REFS_PER_ENTRY],
                       request_id=request_id, outcome="blocked")
        raise TransferBlocked(decision)
