"""One account's Gmail settings: vacation responder, display language, IMAP, POP,
auto-forwarding, forwarding addresses and the push-notification watch.

Each value starts at what Gmail reports for a new account and is checked, on update, the
way Gmail's reference documents. Every read and write happens under the settings' own
lock, and every answer is a copy, so a request never holds a dictionary another request
is changing. Filters and send-as aliases live in :mod:`fakegmail.filters` and
:mod:`fakegmail.send_as`; this object owns their books so that one account's settings
are one value.

Forwarding addresses are accepted at once: Gmail sends the address a verification mail
when it needs proof of ownership and lists it as ``pending`` until the owner follows the
link; the emulator sends no mail, and since the Gmail API has no method that completes a
forwarding verification, an address it left pending could never be used.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from fakegmail.binding import check_enum
from fakegmail.errors import GmailError, invalid_argument, not_found
from fakegmail.filters import FilterBook
from fakegmail.mime_fields import is_address
from fakegmail.send_as import SendAsBook

WATCH_LIFETIME_MS = 7 * 24 * 3600 * 1000
"""How long a watch lasts: Gmail's watches expire after seven days unless renewed."""

VACATION_REPEAT_MS = 4 * 24 * 3600 * 1000
"""Gmail answers a sender once, and again only when they write four days or more after
the reply they last got; editing the responder starts over for everyone."""

_VACATION_DEFAULTS: Mapping[str, Any] = {
    "enableAutoReply": False,
    "responseSubject": "",
    "responseBodyPlainText": "",
    "responseBodyHtml": "",
    "restrictToContacts": False,
    "restrictToDomain": False,
}
_VACATION_ORDER = (*_VACATION_DEFAULTS, "startTime", "endTime")
_IMAP_DEFAULTS: Mapping[str, Any] = {
    "enabled": True, "autoExpunge": True, "expungeBehavior": "archive", "maxFolderSize": 0}
_IMAP_FOLDER_SIZES = (0, 1000, 2000, 5000, 10000)
_POP_DEFAULTS: Mapping[str, Any] = {"accessWindow": "disabled", "disposition": "leaveInInbox"}

#: Display languages Gmail offers (RFC 3066 tags as Gmail spells them, lower-cased keys).
GMAIL_LANGUAGES: Mapping[str, str] = {tag.lower(): tag for tag in (
    "af", "az", "id", "ms", "ca", "cs", "cy", "da", "de", "et", "en", "en-GB", "es",
    "es-419", "eu", "fil", "fr", "fr-CA", "ga", "gl", "hr", "it", "zu", "is", "sw", "lv",
    "lt", "hu", "nl", "no", "pl", "pt-BR", "pt-PT", "ro", "sk", "sl", "fi", "sv", "vi",
    "tr", "el", "bg", "mn", "ru", "sr", "uk", "hy", "he", "ur", "ar", "fa", "ne", "mr",
    "hi", "bn", "gu", "ta", "te", "kn", "ml", "si", "th", "lo", "my", "ka", "am", "km",
    "zh-HK", "zh-CN", "zh-TW", "ja", "ko",
)}
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class Watch:
    """A registered push-notification watch (nothing is ever published to its topic)."""

    topic_name: str
    label_ids: tuple[str, ...]
    label_filter_behavior: str | None
    expiration_ms: int


class MailSettings:
    """The settings of one account; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._vacation: dict[str, Any] = dict(_VACATION_DEFAULTS)
        self._vacation_replied: dict[str, int] = {}
        self._language = "en"
        self._imap: dict[str, Any] = dict(_IMAP_DEFAULTS)
        self._pop: dict[str, Any] = dict(_POP_DEFAULTS)
        self._auto_forwarding: dict[str, Any] = {"enabled": False}
        self._forwarding: dict[str, str] = {}
        self.filters = FilterBook()
        self.send_as = SendAsBook()
        self.watch: Watch | None = None

    # -- vacation responder -------------------------------------------------------------

    def vacation(self) -> dict[str, Any]:
        """Return the VacationSettings resource."""
        with self.lock:
            return dict(self._vacation)

    def update_vacation(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the vacation responder; 400 for times out of order or an auto-reply
        with neither subject nor body, which Gmail's reference forbids."""
        value = dict(_VACATION_DEFAULTS)
        value.update({k: body[k] for k in _VACATION_ORDER if body.get(k) is not None})
        for key in ("startTime", "endTime"):
            if key in value:
                value[key] = str(int(value[key]))  # bound as int64 before the view runs
        if "startTime" in value and "endTime" in value and (
                int(value["startTime"]) >= int(value["endTime"])):
            raise invalid_argument("Invalid vacation settings: startTime must precede "
                                   "endTime")
        if value["enableAutoReply"] and not any(
                value[k] for k in ("responseSubject", "responseBodyPlainText",
                                   "responseBodyHtml")):
            raise invalid_argument("Invalid vacation settings: an auto-reply needs a "
                                   "responseSubject or a response body")
        ordered = {k: value[k] for k in _VACATION_ORDER if k in value}
        with self.lock:
            self._vacation = ordered
            self._vacation_replied = {}
            return dict(ordered)

    def claim_vacation_reply(self, sender: str, *, now_ms: int) -> dict[str, Any] | None:
        """Return the responder's settings and note the reply when ``sender`` is due one
        now; None when the responder is off, outside its start and end times, or already
        answered this sender within four days under the current settings."""
        with self.lock:
            vacation = self._vacation
            if not vacation["enableAutoReply"]:
                return None
            if "startTime" in vacation and now_ms < int(vacation["startTime"]):
                return None
            if "endTime" in vacation and now_ms >= int(vacation["endTime"]):
                return None
            last = self._vacation_replied.get(sender)
            if last is not None and now_ms - last < VACATION_REPEAT_MS:
                return None
            self._vacation_replied[sender] = now_ms
            return dict(vacation)

    # -- language -----------------------------------------------------------------------

    def language(self) -> dict[str, Any]:
        """Return the LanguageSettings resource."""
        with self.lock:
            return {"displayLanguage": self._language}

    def update_language(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Save the display language Gmail offers closest to the one asked for.

        As Gmail documents, the saved tag may differ from the one given: ``en-US`` is
        saved as ``en``, a region Gmail has no variant for falls back to the language.
        """
        tag = body.get("displayLanguage")
        if not isinstance(tag, str) or not _LANGUAGE_TAG.fullmatch(tag):
            raise invalid_argument("Invalid displayLanguage: give an RFC 3066 language tag "
                                   "such as en-GB, fr or ja")
        chosen = GMAIL_LANGUAGES.get(tag.lower()) or GMAIL_LANGUAGES.get(
            tag.split("-", 1)[0].lower())
        if chosen is None:
            raise invalid_argument(f"Unsupported displayLanguage {tag}: use a language "
                                   "Gmail offers, such as en, id or ja")
        with self.lock:
            self._language = chosen
            return {"displayLanguage": chosen}

    # -- IMAP and POP -------------------------------------------------------------------

    def imap(self) -> dict[str, Any]:
        """Return the ImapSettings resource."""
        with self.lock:
            return _imap_json(self._imap)

    def update_imap(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the IMAP settings; an unspecified expungeBehavior keeps the current one."""
        behavior = body.get("expungeBehavior")
        if behavior is not None:
            check_enum("ImapSettings", "expungeBehavior", behavior,
                       "imap_settings.expunge_behavior")
        size = int(body.get("maxFolderSize") or 0)
        if size not in _IMAP_FOLDER_SIZES:
            raise invalid_argument("Invalid maxFolderSize: use 0 (no limit), 1000, 2000, "
                                   "5000 or 10000")
        with self.lock:
            if behavior in (None, "expungeBehaviorUnspecified"):
                behavior = self._imap["expungeBehavior"]
            self._imap = {"enabled": bool(body.get("enabled")),
                          "autoExpunge": bool(body.get("autoExpunge")),
                          "expungeBehavior": behavior, "maxFolderSize": size}
            return _imap_json(self._imap)

    def pop(self) -> dict[str, Any]:
        """Return the PopSettings resource."""
        with self.lock:
            return dict(self._pop)

    def update_pop(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the POP settings; an unspecified value keeps the current one."""
        changes = {}
        for field, proto in (("accessWindow", "access_window"), ("disposition", "disposition")):
            value = body.get(field)
            if value is not None:
                check_enum("PopSettings", field, value, f"pop_settings.{proto}")
                if not value.endswith("Unspecified"):
                    changes[field] = value
        with self.lock:
            self._pop.update(changes)
            return dict(self._pop)

    # -- forwarding ---------------------------------------------------------------------

    def forwarding_addresses(self) -> list[dict[str, Any]]:
        """Return every ForwardingAddress resource, by address."""
        with self.lock:
            return [_forwarding_json(a, s) for a, s in sorted(self._forwarding.items())]

    def forwarding_address(self, address: str) -> dict[str, Any]:
        """Return one ForwardingAddress resource; 404 when the account has no such address."""
        key = address.strip().lower()
        with self.lock:
            status = self._forwarding.get(key)
        if status is None:
            raise not_found()
        return _forwarding_json(key, status)

    def add_forwarding_address(self, body: Mapping[str, Any], *, owner: str) -> dict[str, Any]:
        """Add a forwarding address, verified at once (see the module's docstring)."""
        address = body.get("forwardingEmail")
        if not is_address(address):
            raise invalid_argument("Invalid forwardingEmail: give an email address such as "
                                   "archive@example.com")
        key = address.strip().lower()
        if key == owner:
            raise invalid_argument("Invalid forwardingEmail: an account cannot forward to "
                                   "its own address")
        with self.lock:
            if key in self._forwarding:
                raise GmailError(409, "Forwarding address already exists", reason="aborted")
            self._forwarding[key] = "accepted"
            return _forwarding_json(key, "accepted")

    def delete_forwarding_address(self, address: str) -> None:
        """Remove a forwarding address; auto-forwarding to it stops, as in Gmail's settings."""
        key = address.strip().lower()
        with self.lock:
            if self._forwarding.pop(key, None) is None:
                raise not_found()
            if self._auto_forwarding.get("emailAddress") == key:
                self._auto_forwarding = {"enabled": False}

    def verified_forwarding(self) -> frozenset[str]:
        """Return the forwarding addresses that may receive forwarded mail."""
        with self.lock:
            return frozenset(a for a, s in self._forwarding.items() if s == "accepted")

    def auto_forwarding(self) -> dict[str, Any]:
        """Return the AutoForwarding resource."""
        with self.lock:
            return dict(self._auto_forwarding)

    def update_auto_forwarding(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace auto-forwarding; 400 when it is enabled without a verified forwarding
        address, as Gmail requires."""
        enabled = bool(body.get("enabled"))
        address = body.get("emailAddress") or ""
        disposition = body.get("disposition")
        if disposition is not None:
            check_enum("AutoForwarding", "disposition", disposition, "auto_forwarding.disposition")
        if not isinstance(address, str):
            raise invalid_argument("Invalid emailAddress: give a forwarding address")
        key = address.strip().lower()
        with self.lock:
            if enabled and self._forwarding.get(key) != "accepted":
                raise invalid_argument(
                    "Invalid emailAddress: auto-forwarding needs a verified forwarding "
                    "address; add it with settings.forwardingAddresses.create first")
            if enabled and disposition == "dispositionUnspecified":
                raise invalid_argument("Invalid disposition: say what happens to forwarded "
                                       "mail (leaveInInbox, archive, trash or markRead)")
            value: dict[str, Any] = {"enabled": enabled}
            if key:
                value["emailAddress"] = key
            if disposition not in (None, "dispositionUnspecified"):
                value["disposition"] = disposition
            elif enabled:
                value["disposition"] = "leaveInInbox"
            self._auto_forwarding = value
            return dict(value)

    # -- push notifications -------------------------------------------------------------

    def start_watch(self, topic_name: str, label_ids: Collection[str],
                    behavior: str | None, *, now_ms: int) -> Watch:
        """Register (or renew) the account's watch, replacing any earlier one."""
        watch = Watch(topic_name, tuple(label_ids), behavior, now_ms + WATCH_LIFETIME_MS)
        with self.lock:
            self.watch = watch
        return watch

    def stop_watch(self) -> None:
        """Forget the account's watch, if any."""
        with self.lock:
            self.watch = None


def _imap_json(value: Mapping[str, Any]) -> dict[str, Any]:
    """Gmail leaves ``maxFolderSize`` out when it is 0 (no limit)."""
    return {k: v for k, v in value.items() if k != "maxFolderSize" or v}


def _forwarding_json(address: str, status: str) -> dict[str, Any]:
    return {"forwardingEmail": address, "verificationStatus": status}
