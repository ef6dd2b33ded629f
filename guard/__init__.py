"""The only road to Gmail data: purpose-bound, policy-decided, audited before data moves."""

from __future__ import annotations

from guard.errors import (
    AccessDenied,
    AggregateTooSmall,
    ApprovalRequired,
    ConsentRequired,
    GmailAuthError,
    GmailError,
    GmailTimeout,
    GmailUnavailable,
    GrantRequired,
    GuardError,
    PolicyConfigError,
    ProhibitedPurpose,
    TransferBlocked,
)
from guard.policy import (
    AccessBasis,
    AccessRequest,
    Actor,
    ActorKind,
    Consent,
    DataClass,
    Decision,
    Grant,
    GrantReference,
    Policy,
    Resources,
    TransferBasis,
    TransferConsent,
    TransferRequest,
    check_access,
    check_aggregate,
    check_transfer,
    load_policy,
    require_access,
    require_aggregate,
    require_transfer,
)
from guard.transport import GmailTransport, pooled_session

__all__ = [
    "AccessBasis", "AccessDenied", "AccessRequest", "Actor", "ActorKind", "AggregateTooSmall",
    "ApprovalRequired", "Consent", "ConsentRequired", "DataClass", "Decision",
    "GmailAuthError", "GmailError", "GmailTimeout", "GmailTransport", "GmailUnavailable",
    "Grant", "GrantReference", "GrantRequired", "GuardError", "Policy", "PolicyConfigError",
    "ProhibitedPurpose", "Resources", "TransferBasis", "TransferBlocked", "TransferConsent",
    "TransferRequest", "check_access", "check_aggregate", "check_transfer", "load_policy",
    "pooled_session", "require_access", "require_aggregate", "require_transfer",
]
