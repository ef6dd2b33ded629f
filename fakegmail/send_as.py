"""An account's send-as addresses: its own (primary) address and its custom From aliases.

The verified aliases are ``Account.aliases`` (address -> display name), which the control
API sets and sending reads to decide which From addresses are the account's own; this
book keeps what Gmail stores besides: aliases still awaiting verification, reply-to
addresses, signatures, SMTP relays and which address is the default.

Verification: Gmail mails an alias's address a link when it needs proof of ownership and
lists the alias as ``pending`` until the owner follows it; an alias in the account's own
domain needs none. The emulator sends no mail: an alias in the account's domain is
accepted at once, any other is pending until ``sendAs.verify`` is called for it, which
the emulator takes as the owner having followed the link.

SMTP relay credentials (``smtpMsa.username`` and ``password``) are write-only, as in
Gmail: they are kept but never answered, and the emulator never connects to the relay.

The functions here change ``Account.aliases``; their callers hold the emulator state's
lock (the one the control API changes aliases under) and then the settings' lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fakegmail.binding import check_enum
from fakegmail.errors import GmailError, invalid_argument, not_found
from fakegmail.mime_fields import is_address

if TYPE_CHECKING:
    from fakegmail.state import Account

_EDITABLE = ("displayName", "replyToAddress", "signature", "treatAsAlias", "smtpMsa")


class SendAsBook:
    """What an account's send-as addresses carry besides their address and name."""

    def __init__(self) -> None:
        self.pending: dict[str, str] = {}
        """Aliases awaiting verification: address -> display name."""
        self.extras: dict[str, dict[str, Any]] = {}
        """Per address: replyToAddress, signature, treatAsAlias, smtpMsa, and for the
        primary address a displayName other than the account's name."""
        self.default: str | None = None
        """The default From address when it is not the primary one."""


def list_send_as(account: Account) -> list[dict[str, Any]]:
    """Return the SendAs resources: the primary address first, then aliases by address."""
    book = account.settings.send_as
    aliases = sorted(set(account.aliases) | set(book.pending))
    return [send_as_json(account, account.email)] + [send_as_json(account, a)
                                                     for a in aliases]


def send_as_json(account: Account, address: str) -> dict[str, Any]:
    """Return one SendAs resource; 404 when the account cannot send as ``address``."""
    book = account.settings.send_as
    extras = book.extras.get(address, {})
    default = _default(account)
    if address == account.email:
        return {"sendAsEmail": address,
                "displayName": extras.get("displayName", account.name),
                "replyToAddress": extras.get("replyToAddress", ""),
                "signature": extras.get("signature", ""),
                "isPrimary": True, "isDefault": default == address}
    if address in account.aliases:
        name, status = account.aliases[address], "accepted"
    elif address in book.pending:
        name, status = book.pending[address], "pending"
    else:
        raise not_found()
    out: dict[str, Any] = {
        "sendAsEmail": address, "displayName": name,
        "replyToAddress": extras.get("replyToAddress", ""),
        "signature": extras.get("signature", ""),
        "isPrimary": False, "isDefault": default == address,
        "treatAsAlias": extras.get("treatAsAlias", True),
    }
    if extras.get("smtpMsa"):
        out["smtpMsa"] = {k: v for k, v in extras["smtpMsa"].items()
                          if k not in ("username", "password")}
    out["verificationStatus"] = status
    return out


def create_send_as(account: Account, body: Mapping[str, Any]) -> dict[str, Any]:
    """Add a custom From alias; 409 when the account can already send as the address."""
    address = body.get("sendAsEmail")
    if not is_address(address):
        raise invalid_argument("Invalid sendAsEmail: give the email address to send as, "
                               "such as sales@example.com")
    key = address.strip().lower()
    book = account.settings.send_as
    if key == account.email or key in account.aliases or key in book.pending:
        raise GmailError(409, "Send-as alias already exists", reason="aborted")
    fields = _checked(body, primary=False)
    name = fields.pop("displayName", "") or ""
    same_domain = key.rsplit("@", 1)[1] == account.email.rsplit("@", 1)[1]
    if body.get("isDefault") and not same_domain:
        raise _pending_default()
    book.extras[key] = fields
    if same_domain:
        account.aliases = {**account.aliases, key: name}
        if body.get("isDefault"):
            book.default = key
    else:
        book.pending[key] = name
    return send_as_json(account, key)


def update_send_as(account: Account, address: str, body: Mapping[str, Any], *,
                   replace: bool) -> dict[str, Any]:
    """Replace (``sendAs.update``) or patch (``sendAs.patch``) a send-as address.

    ``sendAsEmail``, ``isPrimary`` and ``verificationStatus`` are read-only and ignored;
    ``isDefault`` may only be written true (Gmail's rule: every account has exactly one
    default), and only for a verified address.
    """
    key = address.strip().lower()
    current = send_as_json(account, key)  # 404 first
    primary = key == account.email
    fields = _checked(body, primary=primary)
    book = account.settings.send_as
    before = book.extras.get(key, {})
    extras = {} if replace else dict(before)
    if before.get("smtpMsa") and "smtpMsa" in fields:
        # Credentials are write-only, so a client that read the relay and writes it back
        # cannot send them; the ones it leaves out are kept.
        fields["smtpMsa"] = {**{k: v for k, v in before["smtpMsa"].items()
                                if k in ("username", "password")}, **fields["smtpMsa"]}
    extras.update(fields)
    is_default = body.get("isDefault")
    if is_default is False and current["isDefault"]:
        raise invalid_argument("Invalid isDefault: only true may be written; make another "
                               "address the default instead")
    if is_default and current.get("verificationStatus") == "pending":
        raise _pending_default()
    name = extras.pop("displayName", None)
    if primary:
        if name is not None:
            extras["displayName"] = name
    elif name is not None or replace:
        _rename(account, key, name or "")
    book.extras[key] = extras
    if is_default:
        book.default = None if primary else key
    return send_as_json(account, key)


def delete_send_as(account: Account, address: str) -> None:
    """Delete a custom From alias; 400 for the primary address, which Gmail keeps."""
    key = address.strip().lower()
    if key == account.email:
        raise invalid_argument("Cannot delete the primary send-as address: every account "
                               "keeps its own address")
    book = account.settings.send_as
    if key in account.aliases:
        account.aliases = {a: n for a, n in account.aliases.items() if a != key}
    elif book.pending.pop(key, None) is None:
        raise not_found()
    book.extras.pop(key, None)
    if book.default == key:
        book.default = None


def verify_send_as(account: Account, address: str) -> None:
    """Complete a pending alias's verification (see the module's docstring); 400 for an
    address that is not pending, as Gmail requires."""
    key = address.strip().lower()
    current = send_as_json(account, key)  # 404 first
    if current.get("verificationStatus") != "pending":
        raise invalid_argument("Invalid verify request: only a send-as alias whose "
                               "verificationStatus is pending can be verified")
    book = account.settings.send_as
    account.aliases = {**account.aliases, key: book.pending.pop(key)}


def _default(account: Account) -> str:
    chosen = account.settings.send_as.default
    return chosen if chosen is not None and chosen in account.aliases else account.email


def _rename(account: Account, address: str, name: str) -> None:
    book = account.settings.send_as
    if address in account.aliases:
        account.aliases = {**account.aliases, address: name}
    else:
        book.pending[address] = name


def _checked(body: Mapping[str, Any], *, primary: bool) -> dict[str, Any]:
    """Return the editable fields of ``body``; the alias-only ones are dropped for the
    primary address, as Gmail applies them to custom From aliases only."""
    fields = {k: body[k] for k in _EDITABLE if body.get(k) is not None}
    if primary:
        fields.pop("treatAsAlias", None)
        fields.pop("smtpMsa", None)
    reply_to = fields.get("replyToAddress")
    if reply_to and not is_address(reply_to):
        raise invalid_argument("Invalid replyToAddress: give an email address, or an empty "
                               "string for none")
    if "smtpMsa" in fields:
        fields["smtpMsa"] = _smtp_msa(fields["smtpMsa"])
    return fields


def _smtp_msa(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid_argument("Invalid smtpMsa: give an SmtpMsa object")
    mode = value.get("securityMode")
    if mode is not None:
        check_enum("SmtpMsa", "securityMode", mode, "send_as.smtp_msa.security_mode")
    port = value.get("port")
    if (not value.get("host") or port is None or not 0 < int(port) < 65536
            or mode in (None, "securityModeUnspecified")):
        raise invalid_argument("Invalid smtpMsa: host, port (1-65535) and securityMode "
                               "(none, ssl or starttls) are required")
    out: dict[str, Any] = {"host": value["host"], "port": int(port), "securityMode": mode}
    for secret in ("username", "password"):
        if value.get(secret):
            out[secret] = value[secret]
    return out


def _pending_default() -> GmailError:
    return invalid_argument("Invalid isDefault: a send-as alias must be verified before it "
                            "can be the default")
