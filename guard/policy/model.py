"""The loaded policy: frozen values built once from the policy file by ``load_policy``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from guard.policy.vocabulary import AccessBasis, DataClass, TransferBasis


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """One allowed email-client purpose: who may use it and for which Gmail actions.

    Users may only ever use a purpose on their own mailbox; system jobs on any mailbox.
    """

    name: str
    description: str
    users: bool
    system: bool
    actions: frozenset[str]


@dataclass(frozen=True, slots=True)
class StaffRole:
    """A staff role and the human-access bases it may use."""

    name: str
    bases: frozenset[AccessBasis]


@dataclass(frozen=True, slots=True)
class StaffRules:
    """Human-access rules: roles, approvals, lifetimes, security case categories.

    ``pending_for`` is how long a grant request waits for its second approval before it
    lapses; ``approval_for`` is how long an approval stays valid once given.
    """

    roles: Mapping[str, StaffRole]
    second_approval: frozenset[AccessBasis]
    max_grant: timedelta
    max_consent: timedelta
    security_categories: frozenset[str]
    pending_for: timedelta = timedelta(hours=24)
    approval_for: timedelta = timedelta(hours=72)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A listed transfer recipient, its basis and the data classes it may receive."""

    id: str
    description: str
    category: str
    basis: TransferBasis
    data_classes: frozenset[DataClass]
    requires_user_consent: bool


@dataclass(frozen=True, slots=True)
class TransferRules:
    """The transfer gate's list of recipients."""

    allow_security_basis: bool
    recipients: Mapping[str, Recipient]


@dataclass(frozen=True, slots=True)
class AggregateRules:
    """What internal operations may count, and the smallest group an answer may describe."""

    min_group_size: int
    fields: frozenset[str]


@dataclass(frozen=True, slots=True)
class Policy:
    """The whole policy. ``version`` is the SHA-256 of the canonical effective content."""

    source: str
    version: str
    purposes: Mapping[str, PurposeRule]
    system_jobs: frozenset[str]
    staff: StaffRules
    transfers: TransferRules
    aggregates: AggregateRules
    content: Mapping[str, Any]
