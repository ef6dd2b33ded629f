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

# Mailbox access, accounts, vault and the facade.
from guard.accounts import ConnectedAccount, ConnectedAccounts  # noqa: E402
from guard.errors import (  # noqa: E402
    GmailNotFound,
    GmailRateLimited,
    GmailRejected,
    HistoryExpired,
    InvalidMessage,
)
from guard.mail_values import (  # noqa: E402
    AttachmentData,
    AttachmentInfo,
    Draft,
    DraftPage,
    DraftRef,
    HistoryChange,
    HistoryKind,
    HistoryPage,
    LabelInfo,
    Message,
    MessageHeaders,
    OutgoingAttachment,
    OutgoingMessage,
    Profile,
    SendAsAlias,
    SentMessage,
    Thread,
    ThreadPage,
    ThreadSummary,
)
from guard.mailbox import MailboxAccess  # noqa: E402
from guard.recording import decide_and_record, record_decision  # noqa: E402
from guard.service import Guard  # noqa: E402
from guard.settings import GuardSettings, OAuthClient  # noqa: E402
from guard.vault import TokenVault, VaultKeyError  # noqa: E402

__all__ += [
    "AttachmentData", "AttachmentInfo", "ConnectedAccount", "ConnectedAccounts", "Draft",
    "DraftPage", "DraftRef", "GmailNotFound", "GmailRateLimited", "GmailRejected", "Guard",
    "GuardSettings", "HistoryChange", "HistoryExpired", "HistoryKind", "HistoryPage",
    "InvalidMessage", "LabelInfo", "MailboxAccess", "Message", "MessageHeaders", "OAuthClient",
    "OutgoingAttachment", "OutgoingMessage", "Profile", "SendAsAlias", "SentMessage",
    "Thread", "ThreadPage", "ThreadSummary", "TokenVault", "VaultKeyError",
    "decide_and_record", "record_decision",
]

# Human access (staff, consents, grants, broker), aggregates and the transfer gate.
from guard.aggregates import AggregateResult, AggregateRow, Aggregates  # noqa: E402
from guard.broker import AccessBroker  # noqa: E402
from guard.consents import (  # noqa: E402
    ConsentBook,
    ConsentNotFound,
    ConsentRecord,
    InvalidConsent,
    TransferConsentBook,
    TransferConsentRecord,
)
from guard.grants import GrantBook, GrantRecord, GrantRules, GrantStatus, InvalidGrant  # noqa: E402
from guard.provenance import AdvertisingSink, GmailDerived, combine, derived  # noqa: E402
from guard.staff import StaffError, StaffMember, StaffRegistry, UnknownStaff  # noqa: E402
from guard.transfers import (  # noqa: E402
    RecipientEndpoint,
    TransferFailed,
    TransferGate,
    TransferReceipt,
)

__all__ += [
    "AccessBroker", "AdvertisingSink", "AggregateResult", "AggregateRow", "Aggregates",
    "ConsentBook", "ConsentNotFound", "ConsentRecord", "GmailDerived", "GrantBook",
    "GrantRecord", "GrantRules", "GrantStatus", "InvalidConsent", "InvalidGrant",
    "RecipientEndpoint", "StaffError", "StaffMember", "StaffRegistry", "TransferConsentBook",
    "TransferConsentRecord", "TransferFailed", "TransferGate", "TransferReceipt",
    "UnknownStaff", "combine", "derived",
]
