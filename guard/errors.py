"""Errors the guard raises: one base class, one subclass per outcome.

Messages say what happened and what to do, carry the deciding rule id where there is one,
and never carry message content, subjects, addresses or tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.policy.values import Decision


class GuardError(Exception):
    """Base class of every error the guard raises."""


class PolicyConfigError(GuardError):
    """The policy file is invalid; start-up must stop until it is fixed."""

    def __init__(self, message: str, *, file: str, key: str, line: int | None = None) -> None:
        self.file = file
        self.key = key
        self.line = line
        self.problem = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {key}: {message}")


class DecisionError(GuardError):
    """A policy decision refused the request; ``decision`` holds the rule and reason."""

    advice = "ask for access through the documented process"

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(
            f"{decision.reason} (rule {decision.rule_id}, policy {decision.policy_version[:12]});"
            f" {self.advice}"
        )

    @property
    def rule_id(self) -> str:
        """Return the id of the rule that refused the request."""
        return self.decision.rule_id


class AccessDenied(DecisionError):
    """The policy denies this access to Gmail data."""

    advice = "use an allowed purpose, or a grant or consent that covers this access"


class ProhibitedPurpose(AccessDenied):
    """The purpose belongs to a prohibited family; no configuration can allow it."""

    advice = "Gmail data may never be used for this purpose; do not retry"


class ConsentRequired(AccessDenied):
    """Access needs a user's consent that is in force and covers exactly these messages."""

    advice = "ask the user to consent to these specific messages, then retry"


class GrantRequired(AccessDenied):
    """Access needs a staff grant that is in force for this mailbox and basis."""

    advice = "open a grant for this mailbox with the right basis and reference, then retry"


class ApprovalRequired(AccessDenied):
    """The grant needs approval by a second, different person."""

    advice = "have a second staff member (not the grantee) approve the grant, then retry"


class TransferBlocked(DecisionError):
    """The transfer gate refuses to send Gmail-derived data to this recipient."""

    advice = "send only listed data classes to listed recipients on their listed basis"


class AggregateTooSmall(DecisionError):
    """An aggregate would reveal groups smaller than the policy's minimum group size."""

    advice = "widen the grouping until every group reaches the minimum size"


class GmailError(GuardError):
    """Talking to the Gmail API failed."""


class GmailUnavailable(GmailError, ConnectionError):
    """The Gmail API could not be reached; the client library retries this."""


class GmailTimeout(GmailError, TimeoutError):
    """The Gmail API did not answer in time; the client library retries this."""


class SendUnconfirmed(GmailTimeout):
    """Gmail did not confirm a send in time and it was not sent again: it may still arrive.

    The user must look in Sent before sending the message again (sending it again blindly
    could deliver it twice).
    """


class GmailAuthError(GmailError):
    """Google refused to refresh the OAuth credentials; the user must reconnect Gmail."""


class GmailNotFound(GmailError):
    """Gmail has no such message, thread, draft, label or attachment (or it is not yours)."""


class GmailRejected(GmailError):
    """Gmail refused the request as invalid or forbidden; retrying will not help."""

    def __init__(self, message: str, *, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(message)


class GmailRateLimited(GmailUnavailable):
    """Gmail kept rate-limiting the request past every retry; try again later."""


class HistoryExpired(GmailError):
    """The history id is too old for Gmail to answer from; do a full resync."""


class InvalidMessage(GuardError):
    """The outgoing message cannot be sent as given; fix the named field."""
