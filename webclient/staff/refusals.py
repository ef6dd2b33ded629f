"""The guard's refusal reasons and request problems in the console reader's language.

The guard words each reason in English (``guard.policy.REASONS``) and knows nothing of
Flask or Babel, so the translation happens here: each rule a staff member can be refused
by maps to the guard's English wording, marked for the ``messages`` catalogue, which holds
its Indonesian. A rule not listed, or one whose English the guard has since reworded,
shows the guard's own words, so a page never states a reason the guard did not give.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flask_babel import gettext

from guard.grants import GRANT_PROBLEMS, MAX_REFERENCE, InvalidGrant
from guard.policy import Decision
from webclient.staff.labels import category_label


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (gettext's usual name)."""
    return message


#: Rule id -> the guard's English reason, for every refusal the console can meet.
REASONS: Mapping[str, str] = MappingProxyType({
    "default.deny": N_("no rule matched"),
    "request.malformed": N_("the request could not be evaluated, so it is denied"),
    "purpose.unknown": N_("the purpose is not in the policy's vocabulary"),
    "purpose.action_not_allowed": N_("the purpose does not allow this Gmail action"),
    "staff.unknown_role": N_("the staff role is not defined in the policy"),
    "staff.basis_not_allowed": N_("the staff role may not use this basis"),
    "staff.purpose_mismatch": N_("the purpose does not match the basis of the access"),
    "staff.not_registered": N_("the actor is not an active staff member holding this role"),
    "consent.missing": N_("no user consent was presented"),
    "consent.revoked": N_("the user revoked the consent"),
    "consent.expired": N_("the consent has expired"),
    "consent.lifetime_exceeded": N_("the consent runs longer than the policy allows"),
    "consent.other_mailbox": N_("the consent is for a different mailbox"),
    "consent.wrong_grantee": N_("the consent names a different grantee"),
    "consent.action_not_allowed": N_("a consent only allows viewing the consented messages"),
    "consent.thread_not_covered": N_("a consent covers messages, not threads or labels"),
    "consent.no_messages": N_("the request names no message"),
    "consent.message_not_covered": N_("a requested message is not covered by the consent"),
    "grant.missing": N_("no grant was presented"),
    "grant.basis_mismatch": N_("the grant's basis differs from the access's basis"),
    "grant.wrong_staff": N_("the grant belongs to a different staff member"),
    "grant.revoked": N_("the grant was revoked"),
    "grant.expired": N_("the grant has expired"),
    "grant.lifetime_exceeded": N_("the grant runs longer than the policy allows"),
    "grant.other_mailbox": N_("the grant is for a different mailbox"),
    "grant.missing_case": N_("a security grant needs a case id and a case category"),
    "grant.unknown_category": N_("the security case category is not in the policy"),
    "grant.missing_legal_ref": N_("a legal grant needs a legal request reference"),
    "grant.approval_missing": N_("the grant needs approval by a second person"),
    "grant.self_approved": N_("the grant was approved by its own grantee"),
    "grant.action_not_allowed": N_("a grant only allows reading, never changing, data"),
    "grant.request_lapsed": N_("nobody approved the grant request in time; request it again"),
    "grant.not_pending": N_("the grant is not waiting for approval"),
    "grant.approver_not_eligible": N_("only another active member of the grant's role may "
                                      "approve it"),
    "grant.revoker_not_eligible": N_("only the grantee or a member of the grant's role may "
                                     "revoke it"),
    "grant.requester_not_eligible": N_("the requester is not an active staff member with a "
                                       "role allowed this basis"),
    "aggregate.no_messages": N_("the aggregate basis never reaches messages or mailboxes"),
    "aggregate.field_not_allowed": N_("a requested field may not be aggregated"),
    "aggregate.empty": N_("the aggregate has no groups"),
    "aggregate.below_k": N_("a group is smaller than the policy's minimum group size"),
})


def refusal_reason(decision: Decision) -> str:
    """Return why the guard refused ``decision``, in the reader's language."""
    english = REASONS.get(decision.rule_id)
    if english is None or english != decision.reason:
        return decision.reason
    return str(gettext(english))


#: ``InvalidGrant.problem`` -> its wording, with the problem's details as named fields.
GRANT_PROBLEM_TEXTS: Mapping[str, str] = MappingProxyType({
    "grant_request.basis": N_("Grants are for the security and legal bases; consent-based "
                              "access uses the user's consent, and aggregates need no grant."),
    "grant_request.mailbox": N_("Name the mailbox (its Gmail address) the grant is for."),
    "grant_request.duration": N_("A grant lasts more than zero and at most %(hours)s hours."),
    "grant_request.security_case": N_("A security grant needs a case id and a case "
                                      "category."),
    "grant_request.category": N_("The case category must be one of %(categories)s."),
    "grant_request.legal_ref": N_("A legal grant needs the legal request's reference."),
    # The guard names one problem for both of its checks (length and line, an address).
    "grant_request.reference_format": N_("Case ids and legal references are single-line ids "
                                         "of at most %(max)s characters, never an address: "
                                         "the mailbox goes in the mailbox field."),
    "grant.unknown_id": N_("No grant has this id; check the grant list."),
})


def grant_problem_text(problem: InvalidGrant) -> str:
    """Return what is wrong with a grant request, in the reader's language.

    A problem this console does not know, or one without the details its wording quotes,
    shows the guard's own words.
    """
    wording = GRANT_PROBLEM_TEXTS.get(problem.problem)
    needed = GRANT_PROBLEMS.get(problem.problem)
    if wording is None or needed is None or set(needed) - set(problem.details):
        return str(problem)
    return str(gettext(wording, max=MAX_REFERENCE,
                       **{name: _worded(name, problem.details[name]) for name in needed}))


def _worded(name: str, value: str) -> str:
    """Return a problem's detail as the reader reads it: the policy's case categories
    (the guard joins their codes with ", ") each named as the request form names them."""
    if name == "categories":
        return ", ".join(category_label(code) for code in value.split(", "))
    return value
