"""The emulator's control API under ``/_emulator/``: accounts, service accounts, tokens,
seeding, faults, quota, statistics, OAuth clients, the outbound record and reset. JSON
in and out; never on Google's paths and never behind Gmail authentication, so bind the
emulator to loopback only."""

from __future__ import annotations

import base64
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from fakegmail.discovery import GMAIL_SCOPE_FULL
from fakegmail.errors import GmailError
from fakegmail.faults import FAULT_FIELDS
from fakegmail.oauth import oauth_registry
from fakegmail.state import Account, EmulatorState
from fakegmail.tokens import TokenStore

blueprint = Blueprint("control", __name__, url_prefix="/_emulator")

MAX_SEED_MESSAGES = 100_000


def _state() -> EmulatorState:
    state: EmulatorState = current_app.extensions["fakegmail"]
    return state


def _bad(message: str) -> GmailError:
    return GmailError(400, message, reason="invalidArgument")


def _body(allowed: set[str]) -> dict[str, Any]:
    """Return the request's JSON object, refusing fields outside ``allowed``."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _bad("Send a JSON object body with Content-Type: application/json.")
    unknown = set(data) - allowed
    if unknown:
        raise _bad(f"Unknown fields {sorted(unknown)}; allowed: {sorted(allowed)}.")
    return data


def _email(data: dict[str, Any], *, required: bool = True) -> str | None:
    email = data.get("email")
    if email is None and not required:
        return None
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        raise _bad("'email' must be an email address such as alice@example.com.")
    return email.strip().lower()


def _string_list(data: dict[str, Any], key: str) -> list[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _bad(f"'{key}' must be a list of strings, e.g. [\"{GMAIL_SCOPE_FULL}\"].")
    return value


def _non_negative_int(data: dict[str, Any], key: str, default: int, limit: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise _bad(f"'{key}' must be an integer between 0 and {limit}.")
    return value


def _account_json(account: Account) -> dict[str, Any]:
    return {"email": account.email, "name": account.name,
            "scopes": list(account.default_scopes),
            "send_as": [{"email": e, "name": n} for e, n in account.aliases.items()],
            "messages_total": account.mailbox.profile()["messagesTotal"]}


def _send_as(data: dict[str, Any]) -> dict[str, str] | None:
    """Return the ``send_as`` aliases asked for (address -> display name), or None."""
    value = data.get("send_as")
    if value is None:
        return None
    shape = ("'send_as' must be a list of {\"email\": ..., \"name\": ...} objects, the "
             "addresses the account may send as besides its own")
    if not isinstance(value, list):
        raise _bad(shape)
    aliases: dict[str, str] = {}
    for item in value:
        if not isinstance(item, dict) or set(item) - {"email", "name"}:
            raise _bad(shape)
        email = _email(item)
        name = item.get("name", "")
        if email is None or not isinstance(name, str):
            raise _bad(shape)
        aliases[email] = name
    return aliases


@blueprint.post("/accounts")
def create_account() -> Response:
    """Create the account if needed and mint a token for it."""
    data = _body({"email", "name", "scopes", "grant_scopes", "client_id", "send_as",
                  "domain_wide_delegation"})
    email = _email(data)
    assert email is not None
    aliases = _send_as(data)
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise _bad("'name' must be a string (the account's display name).")
    scopes = _string_list(data, "scopes")
    grant_scopes = _string_list(data, "grant_scopes")
    client_id = data.get("client_id", "emulator")
    if not isinstance(client_id, str) or not client_id:
        raise _bad("'client_id' must be a non-empty string.")
    delegated = data.get("domain_wide_delegation", False)
    if not isinstance(delegated, bool):
        raise _bad("'domain_wide_delegation' must be true or false (true: the token stands "
                   "for a service account with domain-wide authority acting as the account).")
    state = _state()
    account = state.ensure_account(email, name, tuple(scopes or (GMAIL_SCOPE_FULL,)))
    if aliases is not None:
        with state.lock:
            account.aliases = {a: n for a, n in aliases.items() if a != account.email}
    if "grant_scopes" in data:
        oauth_registry().narrow_scopes(account.email, grant_scopes)
    minted = tuple(scopes or account.default_scopes or (GMAIL_SCOPE_FULL,))
    grant = state.tokens.mint(account.email, minted, client_id=client_id, delegated=delegated)
    response = jsonify({
        "email": account.email,
        "name": account.name,
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token,
        "expires_in": max(0, round(grant.expires_at - state.clock())),
        "scopes": sorted(grant.scopes),
        "domain_wide_delegation": grant.delegated,
    })
    response.status_code = 201
    return response


@blueprint.post("/service_accounts")
def create_service_account() -> Response:
    """Create a service account (or give one a new key) and return its JSON key file.

    Without ``public_key`` the emulator generates the RSA key pair and the key file carries
    the private key (answered once, never kept); with one (PEM public key or X.509
    certificate) the key file leaves ``private_key`` out. ``domain_wide_delegation`` maps a
    Workspace domain to the scopes its admin delegated, and replaces what was delegated.
    """
    data = _body({"client_email", "project_id", "public_key", "key_id",
                  "domain_wide_delegation"})
    client_email = _email({"email": data["client_email"]}) if "client_email" in data else None
    for key in ("project_id", "public_key", "key_id"):
        if key in data and (not isinstance(data[key], str) or not data[key]):
            raise _bad(f"'{key}' must be a non-empty string when given.")
    delegation = data.get("domain_wide_delegation")
    if delegation is not None and not isinstance(delegation, dict):
        raise _bad("'domain_wide_delegation' must map each Workspace domain to the scopes "
                   "delegated, e.g. {\"example.com\": [\"https://mail.google.com/\"]}.")
    try:
        issued = _state().service_accounts.add_key(
            client_email=client_email, project_id=data.get("project_id"),
            public_key_pem=data.get("public_key"), key_id=data.get("key_id"),
            delegation=delegation)
    except ValueError as error:
        raise _bad(str(error)) from None
    response = jsonify({**issued.account.to_json(), "key_id": issued.key_id,
                        "key_file": issued.key_file(request.url_root)})
    response.headers["Cache-Control"] = "no-store"
    response.status_code = 201
    return response


@blueprint.get("/service_accounts")
def list_service_accounts() -> Response:
    """List the service accounts (addresses, key ids, delegation; no key material)."""
    return jsonify({"service_accounts": [a.to_json() for a in
                                         _state().service_accounts.all()]})


@blueprint.get("/accounts")
def list_accounts() -> Response:
    """List the accounts the emulator knows."""
    state = _state()
    with state.lock:
        accounts = sorted(state.accounts.values(), key=lambda a: a.email)
    return jsonify({"accounts": [_account_json(a) for a in accounts]})


@blueprint.post("/seed")
def seed_mailbox() -> Response:
    """Fill a mailbox with generated, realistic messages (creating the account if missing)."""
    from fakegmail.seed import generate_mailbox

    data = _body({"email", "name", "messages", "seed"})
    email = _email(data)
    assert email is not None
    count = _non_negative_int(data, "messages", 50, MAX_SEED_MESSAGES)
    seed = _non_negative_int(data, "seed", 0, 2**32)
    state = _state()
    account = state.ensure_account(email, data.get("name") or None)
    seeded = generate_mailbox(account.email, account.name, count, seed=seed,
                              now=state.clock())
    added, created = fill_mailbox(account, seeded)
    return jsonify({"email": account.email, "messages_added": added,
                    "labels_created": created})


def fill_mailbox(account: Account, seeded: Any) -> tuple[int, int]:
    """Add a generated mailbox's labels and messages to ``account``; return the counts.

    User labels in ``seeded.messages[i].label_ids`` are named ``user:<Name>``; they are
    created first (or reused when the mailbox has them) and mapped to their label ids.
    """
    mailbox = account.mailbox
    label_ids = {label["name"]: label["id"] for label in mailbox.list_labels()
                 if label.get("type") == "user"}
    created = 0
    for name in seeded.labels:
        if name not in label_ids:
            label_ids[name] = mailbox.create_label(name)["id"]
            created += 1
    for message in seeded.messages:
        ids = [label_ids[i[5:]] if i.startswith("user:") else i for i in message.label_ids]
        mailbox.add_message(message.raw, label_ids=ids, internal_date=message.internal_date)
    return len(seeded.messages), created


@blueprint.post("/faults")
def add_fault() -> Response:
    """Add one fault rule; return it with its id."""
    data = _body(set(FAULT_FIELDS))
    try:
        rule = _state().faults.add(data)
    except ValueError as error:
        raise _bad(f"Invalid fault rule: {error}.") from None
    response = jsonify(rule.to_json())
    response.status_code = 201
    return response


@blueprint.get("/faults")
def list_faults() -> Response:
    """List the active fault rules."""
    return jsonify({"faults": [rule.to_json() for rule in _state().faults.rules()]})


@blueprint.delete("/faults")
def clear_faults() -> Response:
    """Remove every fault rule, or only those of ``?method=``."""
    removed = _state().faults.clear(request.args.get("method") or None)
    return jsonify({"removed": removed})


@blueprint.get("/stats")
def stats() -> Response:
    """Return call, error and quota counters per Gmail method."""
    state = _state()
    return jsonify(state.stats.snapshot(state.quota))


@blueprint.delete("/stats")
def reset_stats() -> Response:
    """Reset the call counters and the quota ledger."""
    state = _state()
    state.stats.reset()
    state.quota.reset()
    return jsonify(state.stats.snapshot(state.quota))


@blueprint.put("/quota")
def set_quota() -> Response:
    """Set (or lift, with null) the enforced per-user quota units per second."""
    data = _body({"per_user_limit"})
    if "per_user_limit" not in data:
        raise _bad("Send {\"per_user_limit\": N} (units per second per user) or null to lift.")
    limit = data["per_user_limit"]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or limit < 1):
        raise _bad("'per_user_limit' must be a positive integer (Gmail's is 250) or null.")
    _state().quota.per_user_limit = limit
    return jsonify({"per_user_limit": limit})


@blueprint.post("/tokens/expire")
def expire_tokens() -> Response:
    """Make access tokens (of ``email``, or everyone's) expire now, to exercise refresh."""
    data = _body({"email"})
    email = _email(data, required=False)
    return jsonify({"expired": _state().tokens.expire_all(email)})


@blueprint.post("/clients")
def register_client() -> Response:
    """Register an OAuth client; from then on only registered clients are accepted."""
    data = _body({"client_id", "client_secret", "redirect_uris"})
    uris = _string_list(data, "redirect_uris")
    if not uris:
        raise _bad("'redirect_uris' must list at least one redirect URI, e.g. "
                   "[\"http://127.0.0.1:8080/callback\"].")
    for key in ("client_id", "client_secret"):
        if key in data and (not isinstance(data[key], str) or not data[key]):
            raise _bad(f"'{key}' must be a non-empty string when given.")
    try:
        client = oauth_registry().register_client(uris, data.get("client_id"),
                                                  data.get("client_secret"))
    except ValueError as error:
        raise _bad(str(error)) from None
    response = jsonify(client.to_json())
    response.status_code = 201
    return response


@blueprint.get("/clients")
def list_clients() -> Response:
    """List registered OAuth clients (ids and redirect URIs)."""
    clients = oauth_registry().clients.values()
    return jsonify({"clients": [{"client_id": c.client_id, "redirect_uris": list(c.redirect_uris)}
                                for c in clients]})


@blueprint.get("/outbound")
def list_outbound() -> Response:
    """List the mail that left the emulator for outside addresses (of ``?account=``
    only, when given), oldest first; the message bytes are fetched one at a time."""
    account = request.args.get("account")
    if account is not None:
        account = _email({"email": account})
    mails = _state().outbound.entries(account)
    return jsonify({"outbound": [mail.to_json() for mail in mails]})


@blueprint.get("/outbound/<mail_id>")
def get_outbound(mail_id: str) -> Response:
    """Return one outbound record with the message as it left (``raw``, base64url, as
    Gmail's ``format=raw``); 404 when unknown or no longer kept."""
    mail = _state().outbound.get(mail_id)
    if mail is None:
        raise GmailError(404, f"No outbound message {mail_id!r} is kept (the record keeps "
                         "the last messages of each account; reset clears it).",
                         reason="notFound")
    raw = base64.urlsafe_b64encode(mail.raw).decode("ascii")
    return jsonify({**mail.to_json(), "raw": raw})


@blueprint.post("/reset")
def reset() -> Response:
    """Drop every account, service account, token, fault, counter, outbound record,
    OAuth client and pending code."""
    state = _state()
    with state.lock:
        state.accounts.clear()
        state.tokens = TokenStore(state.clock)
    state.service_accounts.clear()
    state.faults.clear()
    state.stats.reset()
    state.quota.reset()
    state.quota.per_user_limit = state.per_user_quota_limit
    state.outbound.clear()
    oauth_registry().reset()
    return jsonify({"reset": True, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
