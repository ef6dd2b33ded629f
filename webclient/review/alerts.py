"""Find what a security reviewer should look at first, with thresholds from configuration.

Five rules, each over the window the reviewer chose: a staff member touching many
mailboxes, one actor refused many times, staff access outside office hours (views of
mail and aggregate queries counted apart), a grant used after someone tried to revoke it,
and any attempt at a prohibited purpose (advertising and the other families the policy
can never allow). Rules only read entries; an alert names who (a staff address, or the
keyed hash for anyone else), how many, and the entries to open, never content.

Configuration (``REVIEW_ALERTS`` in the app config, or the ``[alerts]`` table of the TOML
file at ``REVIEW_ALERTS_PATH``): ``mailboxes_per_staff``, ``denials_per_actor``,
``prohibited_attempts``, ``office_hours_start``, ``office_hours_end`` (hours, local),
``office_days`` (e.g. ["mon", "tue", "wed", "thu", "fri"]) and ``timezone``.
"""

from __future__ import annotations

import enum
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from audit import AuditEntry, Decision, ResourceKind
from guard.policy.vocabulary import AGGREGATE_ACTION
from webclient.review.activity import (
    StaffNames,
    ViewCounter,
    is_human_access,
    is_prohibited,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: What an after-hours alert counts (its ``detail``): views of mail, or aggregate queries,
#: which reach counts only and never a message, so they are not worded as reading mail.
AFTER_HOURS_MAIL = "mail"
AFTER_HOURS_AGGREGATE = "aggregate"
_INT_KEYS = ("mailboxes_per_staff", "denials_per_actor", "prohibited_attempts",
             "office_hours_start", "office_hours_end")
_KEYS = frozenset({*_INT_KEYS, "office_days", "timezone"})


#: The action of an attempt to revoke a grant (whoever made it, allowed or refused).
REVOKE_ACTION = "grant.revoke"


class AlertConfigError(ValueError):
    """The alert thresholds are malformed; the message names the key and what it accepts."""


class AlertKind(enum.Enum):
    """What an alert is about."""

    MANY_MAILBOXES = "many_mailboxes"
    REPEATED_DENIALS = "repeated_denials"
    OUTSIDE_OFFICE_HOURS = "outside_office_hours"
    GRANT_USED_AFTER_REVOCATION = "grant_used_after_revocation"
    PROHIBITED_PURPOSE = "prohibited_purpose"


@dataclass(frozen=True, slots=True)
class AlertRules:
    """The thresholds the alert rules use."""

    mailboxes_per_staff: int = 10
    denials_per_actor: int = 5
    prohibited_attempts: int = 1
    office_hours_start: int = 8
    office_hours_end: int = 18
    office_days: frozenset[int] = frozenset(range(5))
    timezone: str = "Asia/Jakarta"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str) -> AlertRules:
        """Read thresholds; raise AlertConfigError naming ``source`` and the bad key."""
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise AlertConfigError(f"{source}: unknown alert setting {unknown[0]!r}; "
                                   f"allowed: {', '.join(sorted(_KEYS))}")
        values: dict[str, Any] = {}
        for key in _INT_KEYS:
            if key in data:
                value = data[key]
                limit = 24 if key.startswith("office_hours") else 1_000_000
                low = 0 if key.startswith("office_hours") else 1
                if isinstance(value, bool) or not isinstance(value, int) \
                        or not low <= value <= limit:
                    raise AlertConfigError(f"{source}: {key} must be a whole number from "
                                           f"{low} to {limit}")
                values[key] = value
        if "office_days" in data:
            days = data["office_days"]
            if not isinstance(days, list | tuple) or not days \
                    or any(d not in DAYS for d in days):
                raise AlertConfigError(f"{source}: office_days lists days among "
                                       f"{', '.join(DAYS)}")
            values["office_days"] = frozenset(DAYS.index(d) for d in days)
        if "timezone" in data:
            try:
                ZoneInfo(str(data["timezone"]))
            except (ZoneInfoNotFoundError, ValueError):
                raise AlertConfigError(f"{source}: timezone must be an IANA name such as "
                                       "Asia/Jakarta") from None
            values["timezone"] = str(data["timezone"])
        rules = cls(**values)
        if rules.office_hours_start >= rules.office_hours_end:
            raise AlertConfigError(f"{source}: office_hours_start must come before "
                                   "office_hours_end")
        return rules

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AlertRules:
        """Read ``REVIEW_ALERTS`` or the ``[alerts]`` table of ``REVIEW_ALERTS_PATH``."""
        path = config.get("REVIEW_ALERTS_PATH")
        if path:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as error:
                raise AlertConfigError(f"{path}: cannot read the alert thresholds "
                                       f"({type(error).__name__}); fix the file or unset "
                                       "REVIEW_ALERTS_PATH") from None
            table = data.get("alerts", {})
            if not isinstance(table, Mapping):
                raise AlertConfigError(f"{path}: [alerts] must be a table")
            return cls.from_mapping(table, source=str(path))
        return cls.from_mapping(config.get("REVIEW_ALERTS") or {}, source="REVIEW_ALERTS")

    def outside_office_hours(self, entry: AuditEntry) -> bool:
        """Say whether ``entry`` happened outside office hours in the office's time zone."""
        local = entry.timestamp.astimezone(ZoneInfo(self.timezone))
        return (local.weekday() not in self.office_days
                or not self.office_hours_start <= local.hour < self.office_hours_end)


@dataclass(frozen=True, slots=True)
class Alert:
    """One finding: its kind, who (``subject``; ``actor`` to search by), how many, where."""

    kind: AlertKind
    subject: str
    actor: str
    count: int
    threshold: int
    first_seq: int
    last_seq: int
    detail: str = ""


@dataclass(slots=True)
class _Tally:
    count: int = 0
    first_seq: int = -1
    last_seq: int = -1
    keys: set[str] = field(default_factory=set)

    def add(self, entry: AuditEntry, key: str = "") -> None:
        self.count += 1
        self.first_seq = entry.seq if self.first_seq < 0 else self.first_seq
        self.last_seq = entry.seq
        if key:
            self.keys.add(key)


def find_alerts(entries: Iterable[AuditEntry], rules: AlertRules, names: StaffNames,
                revocations: Iterable[AuditEntry] = ()) -> tuple[Alert, ...]:
    """Apply the rules to ``entries`` (streamed, oldest first); most recent alerts first.

    ``revocations``: attempts to revoke a grant that ``entries`` may leave out (the page was
    filtered by the grant's user, and the attempt was someone else's); a use of a grant
    after an attempt to revoke it is found either way.
    """
    mailboxes: dict[str, _Tally] = defaultdict(_Tally)
    denials: dict[str, _Tally] = defaultdict(_Tally)
    after_hours: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    prohibited: dict[str, _Tally] = defaultdict(_Tally)
    revoke_tried: dict[str, int] = {}
    for attempt in revocations:
        for grant in _grants(attempt):
            revoke_tried[grant] = min(attempt.seq, revoke_tried.get(grant, attempt.seq))
    used_after: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    # A staff view is recorded twice under one request id (the broker's decision, then
    # the Gmail call): count accesses once per request, as the charts and report do.
    views = ViewCounter()
    for entry in entries:
        actor = entry.actor_id_h
        if entry.decision is Decision.DENY:
            denials[actor].add(entry)
        if is_prohibited(entry.purpose):
            prohibited[entry.purpose].add(entry)
        if entry.action == REVOKE_ACTION:
            for grant in _grants(entry):
                revoke_tried.setdefault(grant, entry.seq)
            continue
        if not is_human_access(entry):
            continue
        mailboxes[actor].add(entry, entry.mailbox_h)
        if entry.decision is Decision.ALLOW and views.first(entry):
            if rules.outside_office_hours(entry):
                what = (AFTER_HOURS_AGGREGATE if entry.action == AGGREGATE_ACTION
                        else AFTER_HOURS_MAIL)
                after_hours[(actor, what)].add(entry)
            for grant in _grants(entry):
                if revoke_tried.get(grant, entry.seq) < entry.seq:
                    used_after[(grant, actor)].add(entry)
    found: list[Alert] = []
    for actor, tally in mailboxes.items():
        if len(tally.keys) >= rules.mailboxes_per_staff:
            found.append(_alert(AlertKind.MANY_MAILBOXES, actor, names, len(tally.keys),
                                rules.mailboxes_per_staff, tally))
    for actor, tally in denials.items():
        if tally.count >= rules.denials_per_actor:
            found.append(_alert(AlertKind.REPEATED_DENIALS, actor, names, tally.count,
                                rules.denials_per_actor, tally))
    for (actor, what), tally in after_hours.items():
        found.append(_alert(AlertKind.OUTSIDE_OFFICE_HOURS, actor, names, tally.count, 1,
                            tally, detail=what))
    for (grant, actor), tally in used_after.items():
        found.append(_alert(AlertKind.GRANT_USED_AFTER_REVOCATION, actor, names, tally.count,
                            1, tally, detail=grant))
    for purpose, tally in prohibited.items():
        if tally.count >= rules.prohibited_attempts:
            found.append(Alert(AlertKind.PROHIBITED_PURPOSE, subject=purpose, actor="",
                               count=tally.count, threshold=rules.prohibited_attempts,
                               first_seq=tally.first_seq, last_seq=tally.last_seq,
                               detail=purpose))
    return tuple(sorted(found, key=lambda a: (-a.last_seq, a.kind.value, a.subject)))


def _grants(entry: AuditEntry) -> set[str]:
    """Return the grant ids an entry names (as a resource or as its basis reference)."""
    ids = {r.id for r in entry.resources if r.kind is ResourceKind.GRANT}
    if entry.basis_ref.startswith("grt_"):
        ids.add(entry.basis_ref)
    return ids


def _alert(kind: AlertKind, actor: str, names: StaffNames, count: int, threshold: int,
           tally: _Tally, *, detail: str = "") -> Alert:
    subject = names.name(actor)
    return Alert(kind, subject=subject, actor=names.by_hash.get(actor, actor), count=count,
                 threshold=threshold, first_seq=tally.first_seq, last_seq=tally.last_seq,
                 detail=detail)

