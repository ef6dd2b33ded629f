"""The policy: loaded once from the policy file, decided over purely (no I/O)."""

from __future__ import annotations

from guard.policy.decide import (
    check_access,
    check_aggregate,
    check_transfer,
    error_for,
    require_access,
    require_aggregate,
    require_transfer,
)
from guard.policy.load import DEFAULT_POLICY_PATH, load_policy, parse_policy, policy_version
from guard.policy.model import Policy
from guard.policy.rules import REASONS
from guard.policy.values import (
    AccessRequest,
    Actor,
    Consent,
    Decision,
    Grant,
    GrantReference,
    Resources,
    TransferConsent,
    TransferRequest,
    request_from_json,
)
from guard.policy.vocabulary import AccessBasis, ActorKind, DataClass, TransferBasis

__all__ = [
    "DEFAULT_POLICY_PATH", "REASONS", "AccessBasis", "AccessRequest", "Actor", "ActorKind",
    "Consent", "DataClass", "Decision", "Grant", "GrantReference", "Policy", "Resources",
    "TransferBasis", "TransferConsent", "TransferRequest", "check_access", "check_aggregate",
    "check_transfer", "error_for", "load_policy", "parse_policy", "policy_version",
    "request_from_json", "require_access", "require_aggregate", "require_transfer",
]
