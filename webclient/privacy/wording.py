"""The privacy pages' words, in English and Indonesian, from their own catalogue domain.

The privacy centre keeps its messages in the ``privacy`` domain under
``webclient/privacy/translations`` so that its catalogue is edited apart from the mail
client's. Code and templates mark them with ``p_("...")`` and ``pn_(one, many, n)``;
``webclient/privacy/translations/indonesian.py`` extracts and compiles them.

The consent texts built here are stored word for word with the consent, so they are pure
functions of what the page showed: the same inputs always give the same text.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import Domain, format_datetime

TRANSLATIONS = Path(__file__).parent / "translations"

domain = Domain(translation_directories=str(TRANSLATIONS), domain="privacy")


def p_(message: str, **values: Any) -> str:
    """Translate ``message`` of the privacy domain and fill in ``values``."""
    return str(domain.gettext(message, **values))


def pn_(singular: str, plural: str, num: int, **values: Any) -> str:
    """Translate a count-dependent message of the privacy domain."""
    return str(domain.ngettext(singular, plural, num, **values))


def when(moment: datetime) -> str:
    """Format a moment in full for the reader's language and time zone."""
    return str(format_datetime(moment, "medium"))


def wording_digest(wording: str) -> str:
    """Return the digest that ties a form to the exact wording its page showed."""
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def role_label(role: str) -> str:
    """Return how a staff role is named to the mailbox owner."""
    labels = {
        "support": p_("Qontak support staff"),
        "security": p_("Qontak security team"),
        "legal": p_("Qontak legal team"),
        "ops": p_("Qontak operations staff"),
    }
    return labels.get(role, p_("Qontak staff (%(role)s)", role=role))


def basis_label(basis: str) -> str:
    """Return how a basis of access or transfer is named to the mailbox owner."""
    labels = {
        "consent": p_("your consent"),
        "security": p_("a security investigation"),
        "legal": p_("a legal request"),
        "aggregate": p_("anonymous counts"),
        "feature": p_("a feature you used"),
        "merger": p_("a merger or acquisition"),
    }
    return labels.get(basis, basis or p_("none"))


def data_class_label(data_class: str) -> str:
    """Return how a class of transferred data is named to the mailbox owner."""
    labels = {
        "metadata": p_("metadata (sender, recipients, subject, dates)"),
        "content": p_("content (the text of the messages)"),
        "attachments": p_("attachments"),
    }
    return labels.get(data_class, data_class)


def action_label(action: str) -> str:
    """Return what an attempted action was, in words for the mailbox owner."""
    labels = {
        "messages.get": p_("open a message"),
        "threads.get": p_("open a conversation"),
        "attachments.get": p_("open an attachment"),
        "messages.list": p_("list messages"),
        "threads.list": p_("list conversations"),
        "transfer.send": p_("send data to another service"),
        "account.use": p_("use this mailbox"),
        "advertising.accept": p_("use data for advertising"),
        "account.open": p_("open this mailbox"),
        "grant.request": p_("request access to this mailbox"),
        "grant.read": p_("look at a request for access to this mailbox"),
        "grant.approve": p_("approve access to this mailbox"),
        "grant.revoke": p_("withdraw access to this mailbox"),
        "consent.record": p_("record a consent"),
        "consent.revoke": p_("withdraw a consent"),
        "transfer_consent.record": p_("record a consent to transfers"),
        "transfer_consent.revoke": p_("withdraw a consent to transfers"),
    }
    return labels.get(action, action)


def category_label(category: str) -> str:
    """Return how a security case category is named to the mailbox owner.

    A category the policy file adds beyond these is shown as its code.
    """
    labels = {
        "abuse": p_("abuse"),
        "fraud": p_("fraud"),
        "security_incident": p_("security incident"),
        "bug": p_("software fault"),
    }
    return labels.get(category, category)


def grant_reference(case_id: str | None, category: str | None, legal_ref: str | None) -> str:
    """Return the case or legal request a security or legal grant was opened for."""
    if legal_ref:
        return p_("legal request %(ref)s", ref=legal_ref)
    return p_("security case %(case)s (%(category)s)", case=case_id or "-",
              category=category_label(category) if category else "-")


def refusal_reason(rule_id: str) -> str:
    """Return why an attempt on the mailbox was refused, in words for its owner."""
    family = rule_id.split(".", 1)[0]
    reasons = {
        "consent.message_not_covered": p_("the message is not one you shared"),
        "consent.thread_not_covered": p_("you shared single messages, not whole "
                                          "conversations"),
        "consent.revoked": p_("you had withdrawn your consent"),
        "consent.expired": p_("your consent had ended"),
        "consent.missing": p_("you had not given consent"),
        "grant.approval_missing": p_("a second person had not approved the access"),
        "grant.expired": p_("the permission had ended"),
        "grant.revoked": p_("the permission had been withdrawn"),
        "staff.not_registered": p_("the person is not registered as Qontak staff"),
    }
    families = {
        "prohibited": p_("your data may never be used for this"),
        "transfer": p_("the recipient or the data is not allowed"),
        "account": p_("this mailbox is not connected to that account"),
    }
    return reasons.get(rule_id) or families.get(family) or p_(
        "the privacy policy does not allow it")


#: The listed recipient "log this conversation to Qontak CRM" sends to.
CRM_RECIPIENT = "qontak-crm"


def recipient_name(recipient_id: str) -> str:
    """Return how a transfer recipient is named to the user."""
    return p_("Qontak CRM") if recipient_id == CRM_RECIPIENT else recipient_id


def share_wording(*, subject: str, sender: str, grantee: str, until: datetime) -> str:
    """Return the agreement the user reads before sharing one message, as it is stored."""
    return "\n".join((
        p_("I agree that %(who)s may view this one message of my mailbox:", who=grantee),
        p_("Subject: %(subject)s", subject=subject or p_("(no subject)")),
        p_("From: %(sender)s", sender=sender),
        p_("They may view it until %(until)s, or until I withdraw my consent, whichever "
           "comes first.", until=when(until)),
        p_("They will not see any other message, not even the others in the same "
           "conversation. Every time they open it is recorded and shown in my access "
           "history."),
    ))


def transfer_wording(*, recipient: str, description: str, data_classes: tuple[str, ...]
                     ) -> str:
    """Return the agreement the user reads before their first transfer to a recipient."""
    return "\n".join((
        p_("I agree that MailGuard may send conversations I choose to %(recipient)s "
           "(%(description)s).", recipient=recipient, description=description),
        p_("For each conversation I log, it sends: %(classes)s.",
           classes="; ".join(data_class_label(c) for c in data_classes)),
        p_("Nothing is sent unless I ask for it, one conversation at a time. Every transfer "
           "is recorded and shown in my access history, and I can withdraw this consent at "
           "any time in my privacy centre."),
    ))


def transfer_refusal(rule_id: str) -> str:
    """Return why the transfer gate refused, in words for the user."""
    messages = {
        "transfer.unlisted_recipient": p_(
            "MailGuard only sends your data to recipients named in its privacy policy, and "
            "this recipient is not one of them."),
        "transfer.data_class_not_allowed": p_(
            "This recipient may not receive one of the kinds of data that were asked for. "
            "MailGuard only sends the kinds of data its privacy policy lists for it."),
        "transfer.basis_mismatch": p_(
            "This recipient may not receive your data for this reason."),
        "transfer.consent_missing": p_(
            "This recipient needs your consent first. Tick the box to agree, then send "
            "again."),
        "transfer.consent_revoked": p_(
            "You withdrew your consent to transfers to this recipient. Agree again to send."),
        "transfer.consent_expired": p_(
            "Your consent to transfers to this recipient has expired. Agree again to send."),
    }
    return messages.get(rule_id, p_(
        "MailGuard's privacy policy does not allow this transfer (rule %(rule)s).",
        rule=rule_id))
