"""The closed vocabularies the policy file is checked against, fixed in code.

The prohibited purpose families live here, not in the file, so that no configuration can
switch them on: a file that names one fails to load.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from types import MappingProxyType


class ActorKind(enum.Enum):
    """Who is asking."""

    USER = "user"
    STAFF = "staff"
    SYSTEM = "system"


class AccessBasis(enum.Enum):
    """Why a staff member may look at Gmail data."""

    CONSENT = "consent"
    SECURITY = "security"
    LEGAL = "legal"
    AGGREGATE = "aggregate"


class TransferBasis(enum.Enum):
    """Why Gmail-derived data may leave MailGuard for a listed recipient."""

    FEATURE = "feature"
    LEGAL = "legal"
    MERGER = "merger"
    SECURITY = "security"


class DataClass(enum.Enum):
    """What kind of Gmail-derived data a transfer carries."""

    METADATA = "metadata"
    CONTENT = "content"
    ATTACHMENTS = "attachments"


#: Prohibited purpose families and what each covers. ``advertising.targeting`` and a bare
#: ``advertising`` both belong to the ``advertising`` family.
PROHIBITED_FAMILIES: MappingProxyType[str, str] = MappingProxyType({
    "advertising": "serving, targeting, retargeting, personalisation, profiling or "
                   "measurement of advertising",
    "data_sale": "selling or passing data to data brokers or resellers",
    "credit": "credit scoring, creditworthiness or lending decisions",
    "ai_training": "training generalised AI or machine-learning models",
})

#: The named members of the prohibited families, so attempts are named and counted.
PROHIBITED_PURPOSES: frozenset[str] = frozenset({
    "advertising.serving", "advertising.targeting", "advertising.retargeting",
    "advertising.personalisation", "advertising.profiling", "advertising.measurement",
    "data_sale.broker", "data_sale.resale",
    "credit.scoring", "credit.lending",
    "ai_training.general",
})

#: The email-client purposes the policy file may allow.
EMAIL_PURPOSES: frozenset[str] = frozenset({
    "email.read", "email.compose", "email.send", "email.organize", "email.search",
    "email.sync", "email.process",
})

#: The purpose a staff request names for each human-access basis.
STAFF_PURPOSES: MappingProxyType[AccessBasis, str] = MappingProxyType({
    AccessBasis.CONSENT: "support.consented_view",
    AccessBasis.SECURITY: "security.investigation",
    AccessBasis.LEGAL: "legal.compliance",
    AccessBasis.AGGREGATE: "operations.aggregate",
})

#: Gmail actions (resource.method of the Gmail API) a purpose may list.
GMAIL_ACTIONS: frozenset[str] = frozenset({
    "profile.get",
    "messages.get", "messages.list", "messages.send", "messages.insert", "messages.modify",
    "messages.batchModify", "messages.trash", "messages.untrash",
    "attachments.get",
    "threads.get", "threads.list", "threads.modify", "threads.trash", "threads.untrash",
    "labels.get", "labels.list", "labels.create", "labels.update", "labels.patch",
    "labels.delete",
    "drafts.get", "drafts.list", "drafts.create", "drafts.update", "drafts.delete",
    "drafts.send",
    "history.list",
    "settings.sendAs.list",
})

#: What a staff member may do with a consent: view exactly the consented messages.
CONSENT_ACTIONS: frozenset[str] = frozenset({"messages.get", "attachments.get"})

#: What a staff member may do under a security or legal grant: read, never change.
INVESTIGATION_ACTIONS: frozenset[str] = frozenset({
    "profile.get", "messages.get", "messages.list", "attachments.get", "threads.get",
    "threads.list", "labels.get", "labels.list", "history.list",
})

#: The only action of the aggregate basis: counts over groups, never messages.
AGGREGATE_ACTION = "aggregate.query"

#: Staff roles and the bases each may at most be given.
STAFF_ROLES: MappingProxyType[str, frozenset[AccessBasis]] = MappingProxyType({
    "support": frozenset({AccessBasis.CONSENT, AccessBasis.AGGREGATE}),
    "security": frozenset({AccessBasis.CONSENT, AccessBasis.SECURITY, AccessBasis.AGGREGATE}),
    "legal": frozenset({AccessBasis.CONSENT, AccessBasis.LEGAL, AccessBasis.AGGREGATE}),
    "ops": frozenset({AccessBasis.AGGREGATE}),
})

#: Recipient categories a transfer may go to.
RECIPIENT_CATEGORIES: frozenset[str] = frozenset({
    "crm", "customer_support", "infrastructure", "security_vendor", "legal_authority",
    "acquirer",
})

#: A recipient id: ASCII letters, digits, '.', '_', '-', so no character looks like another.
RECIPIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

#: The transfer bases each recipient category may be listed on: an acquirer only on the
#: merger basis (which needs the user's explicit prior consent), a legal authority only on
#: the legal basis, a security vendor on the security basis or as a feature; the rest
#: serve features. Listed on another basis, a recipient would dodge its basis's consent
#: rule (a buyer as a "feature" without consent, a CRM as "legal").
RECIPIENT_BASES: MappingProxyType[str, frozenset[TransferBasis]] = MappingProxyType({
    "crm": frozenset({TransferBasis.FEATURE}),
    "customer_support": frozenset({TransferBasis.FEATURE}),
    "infrastructure": frozenset({TransferBasis.FEATURE}),
    "security_vendor": frozenset({TransferBasis.SECURITY, TransferBasis.FEATURE}),
    "legal_authority": frozenset({TransferBasis.LEGAL}),
    "acquirer": frozenset({TransferBasis.MERGER}),
})

#: Recipient categories that may never receive Gmail-derived data.
PROHIBITED_CATEGORIES: frozenset[str] = frozenset({
    "advertising", "ad_network", "data_broker", "credit", "lender", "ai_training",
})

#: Fields an internal-operations aggregate may count.
AGGREGATE_FIELDS: frozenset[str] = frozenset({
    "mailbox_count", "message_count", "thread_count", "label_count", "attachment_count",
    "size_bytes", "api_calls", "sync_errors", "sync_latency_ms",
})

#: The smallest minimum group size a policy file may set.
MIN_GROUP_SIZE_FLOOR = 10


#: Spellings of the prohibited families, squashed (case-folded, letters and digits only).
#: A purpose whose squashed form starts with one of these belongs to that family.
_FAMILY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("advertis", "advertising"), ("datasale", "data_sale"), ("databroker", "data_sale"),
    ("credit", "credit"), ("lending", "credit"), ("aitraining", "ai_training"),
    ("mltraining", "ai_training"), ("machinelearningtraining", "ai_training"),
)

#: Short spellings that name a family only as the purpose's whole first word.
_FAMILY_WORDS: MappingProxyType[str, str] = MappingProxyType({
    "ad": "advertising", "ads": "advertising", "adtech": "advertising",
    "broker": "data_sale", "brokers": "data_sale", "resale": "data_sale",
    "lender": "credit", "loan": "credit", "loans": "credit",
})


def folded_text(text: str) -> str:
    """Return ``text`` NFKC-normalised, case-folded and without invisible format characters,
    so spellings that look alike (full-width letters, a zero-width joiner) compare alike."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


@functools.lru_cache(maxsize=4096)
def prohibited_family(purpose: str) -> str | None:
    """Return the prohibited family ``purpose`` belongs to, or None.

    Remembered per spelling: every decision asks, and the Unicode folding below cost
    three quarters of a decision's time.

    Case, width, separators and invisible characters do not matter: ``Advertising.Targeting``,
    ``advertising-targeting``, ``ads.targeting`` and ``AI_Training`` are all named as the
    prohibited family they spell, so attempts are counted under it whatever the spelling;
    so is a family after the first word (``email.ads``, ``crm.ai_training``).
    """
    folded = folded_text(purpose)
    squashed = "".join(c for c in folded if c.isalnum())
    for prefix, family in _FAMILY_PREFIXES:
        if squashed.startswith(prefix):
            return family
    words = re.split(r"[^0-9a-z]+", folded.strip())
    found = _FAMILY_WORDS.get(words[0])
    if found is not None:
        return found
    # A family after the first word (email.advertising, crm.ai_training, sync.data-broker)
    # is named too: no allowed purpose has one, and an attempt so spelled is counted.
    for start in range(1, len(words)):
        rest = "".join(words[start:])
        for prefix, family in _FAMILY_PREFIXES:
            if rest.startswith(prefix):
                return family
        found = _FAMILY_WORDS.get(words[start])
        if found is not None:
            return found
    return None
