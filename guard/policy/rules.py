"""Every rule id a decision can carry, with the reason a human reads.

Reasons name the rule's condition, never addresses, subjects or content.
"""

from __future__ import annotations

from types import MappingProxyType

from guard.policy.vocabulary import PROHIBITED_FAMILIES

_REASONS: dict[str, str] = {
    "default.deny": "no rule matched",
    "request.malformed": "the request could not be evaluated, so it is denied",
    "purpose.unknown": "the purpose is not in the policy's vocabulary",
    "purpose.action_not_allowed": "the purpose does not allow this Gmail action",
    "user.own_mailbox": "the user may use this purpose on their own mailbox",
    "user.other_mailbox": "users may only reach their own mailbox",
    "user.purpose_not_allowed": "users may not use this purpose",
    "system.job": "the system job may use this purpose",
    "system.unknown_job": "the system job is not listed in the policy",
    "system.purpose_not_allowed": "system jobs may not use this purpose",
    "system.no_mailbox": "a system job must name the mailbox it works on",
    "staff.unknown_role": "the staff role is not defined in the policy",
    "staff.basis_not_allowed": "the staff role may not use this basis",
    "staff.purpose_mismatch": "the purpose does not match the basis of the access",
    "consent.allowed": "the user consented to this grantee viewing these messages",
    "consent.missing": "no user consent was presented",
    "consent.revoked": "the user revoked the consent",
    "consent.expired": "the consent has expired",
    "consent.lifetime_exceeded": "the consent runs longer than the policy allows",
    "consent.other_mailbox": "the consent is for a different mailbox",
    "consent.wrong_grantee": "the consent names a different grantee",
    "consent.action_not_allowed": "a consent only allows viewing the consented messages",
    "consent.thread_not_covered": "a consent covers messages, not threads or labels",
    "consent.no_messages": "the request names no message",
    "consent.message_not_covered": "a requested message is not covered by the consent",
    "grant.missing": "no grant was presented",
    "grant.basis_mismatch": "the grant's basis differs from the access's basis",
    "grant.wrong_staff": "the grant belongs to a different staff member",
    "grant.revoked": "the grant was revoked",
    "grant.expired": "the grant has expired",
    "grant.lifetime_exceeded": "the grant runs longer than the policy allows",
    "grant.other_mailbox": "the grant is for a different mailbox",
    "grant.missing_case": "a security grant needs a case id and a case category",
    "grant.unknown_category": "the security case category is not in the policy",
    "grant.missing_legal_ref": "a legal grant needs a legal request reference",
    "grant.approval_missing": "the grant needs approval by a second person",
    "grant.self_approved": "the grant was approved by its own grantee",
    "grant.approval_lapsed": "the grant's second approval is not in force (it lapsed, or "
                             "was given later); it needs approving again",
    "grant.action_not_allowed": "a grant only allows reading, never changing, data",
    "security.allowed": "an approved security grant covers this mailbox",
    "legal.allowed": "an approved legal grant covers this mailbox",
    "aggregate.allowed": "aggregates over large enough groups may be shown",
    "aggregate.no_messages": "the aggregate basis never reaches messages or mailboxes",
    "aggregate.field_not_allowed": "a requested field may not be aggregated",
    "aggregate.empty": "the aggregate has no groups",
    "aggregate.below_k": "a group is smaller than the policy's minimum group size",
    "transfer.allowed": "the recipient is listed for this basis and these data classes",
    "transfer.unlisted_recipient": "the recipient is not listed in the policy",
    "transfer.basis_mismatch": "the recipient is not listed for this basis",
    "transfer.no_data_classes": "the transfer names no data class",
    "transfer.data_class_not_allowed": "the recipient may not receive a requested data class",
    "transfer.consent_missing": "the recipient needs the user's consent, and none was presented",
    "transfer.consent_mismatch": "the consent is for a different user or recipient",
    "transfer.consent_revoked": "the user revoked the consent to this transfer",
    "transfer.consent_expired": "the consent to this transfer has expired",
    # Rules the guard's services decide (registry, evidence stores, broker, gate, accounts).
    "staff.not_registered": "the actor is not an active staff member holding this role",
    "staff.added": "an administrator added the staff member or their roles",
    "staff.removed": "an administrator removed the staff member",
    "consent.recorded": "the user recorded their consent to a grantee viewing these messages",
    "transfer.consent_recorded": "the user recorded their consent to transfers to this "
                                 "recipient",
    "grant.requested": "a grant was requested",
    "grant.approved": "a second member of the role approved the grant",
    "grant.revoke": "the grantee or a member of the grant's role revoked the grant",
    "grant.already_revoked": "the grant was already revoked; this revocation changed nothing",
    "consent.already_revoked": "the user had already revoked the consent; this revocation "
                               "changed nothing",
    "transfer.consent_already_revoked": "the user had already revoked the consent to this "
                                        "transfer; this revocation changed nothing",
    "grant.request_lapsed": "nobody approved the grant request in time; request it again",
    "grant.not_pending": "the grant is not waiting for approval",
    "grant.approver_not_eligible": "only another active member of the grant's role may "
                                   "approve it",
    "grant.revoker_not_eligible": "only the grantee or a member of the grant's role may "
                                  "revoke it",
    "grant.requester_not_eligible": "the requester is not an active staff member with a role "
                                    "allowed this basis",
    "transfer.no_provenance": "the payload carries no Gmail provenance, so its data classes "
                              "are unknown",
    "transfer.mailbox_mismatch": "the payload holds data of another mailbox",
    "transfer.no_endpoint": "the recipient has no configured URL",
    "transfer.not_for_the_owner": "a feature or merger transfer is sent by the mailbox's "
                                  "owner or a system job, never by staff or another user",
    "transfer.too_many_messages": "the payload draws on more messages than one audit entry "
                                  "can name (998); send it in parts",
    "transfer.missing_reference": "a transfer on the legal or security basis needs the "
                                  "reference of the legal request or security case it "
                                  "answers (a single line, no address)",
    "account.connected": "the user connected this Gmail account through Google's consent "
                         "screen",
    "account.not_connected": "the user has not connected this Gmail account",
}
for _family, _what in PROHIBITED_FAMILIES.items():
    _REASONS["prohibited." + _family] = (
        f"Gmail data may never be used for {_what}; this rule cannot be switched off")

REASONS: MappingProxyType[str, str] = MappingProxyType(_REASONS)
