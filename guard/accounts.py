"""Connected Gmail accounts: which Qontak user connected which mailbox, and their tokens.

A Qontak user (``user_id``, e.g. the address they signed in with) connects one or more
Gmail accounts through Google's OAuth flow. The tokens go into the vault; this module
keeps who connected what, turns a (user, mailbox) pair into the policy's user ``Actor``,
and refuses (audited) a mailbox the user did not connect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import google.oauth2.credentials
import requests
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    String,
    Table,
    Text,
    bindparam,
    case,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from audit import AuditLog
from guard.db import metadata
from guard.errors import AccessDenied, GmailAuthError, GmailUnavailable
from guard.policy import REASONS, Actor, ActorKind, Decision, Policy
from guard.recording import record_decision
from guard.settings import OAuthClient
from guard.vault import SealedValueAltered, StoredTokens, TokenVault, VaultKeyMissing

connected_accounts = Table(
    "guard_connected_accounts", metadata,
    Column("user_id", String(320), primary_key=True),
    Column("mailbox", String(320), primary_key=True),
    Column("granted_scopes", Text, nullable=False, default=""),
    Column("connected_at", DateTime(timezone=True), nullable=False),
    Column("needs_reconnect", Boolean, nullable=False, default=False),
)

_c = connected_accounts.c
#: A user's accounts: their own first, then in the order they were first connected
#: (built once: every page reads it).
_ACCOUNTS_OF = (select(connected_accounts).where(_c.user_id == bindparam("user_id"))
                .order_by(case((_c.mailbox == _c.user_id, 0), else_=1), _c.connected_at,
                          _c.mailbox))
#: When a user first connected a mailbox (no row: not connected).
_CONNECTED_AT = select(_c.connected_at).where(_c.user_id == bindparam("user_id"),
                                              _c.mailbox == bindparam("mailbox"))

log = logging.getLogger(__name__)

RULE_CONNECTED = "account.connected"
RULE_NOT_CONNECTED = "account.not_connected"


def _normal(address: str) -> str:
    return address.strip().lower()


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """A Gmail account a Qontak user connected."""

    user_id: str
    email: str
    granted_scopes: tuple[str, ...]
    #: When the user first connected it (connecting again keeps this time).
    connected_at: datetime
    needs_reconnect: bool


class ConnectedAccounts:
    """Connect, list, disconnect Gmail accounts; hand out their credentials and actors."""

    def __init__(self, engine: Engine, *, vault: TokenVault, audit: AuditLog, policy: Policy,
                 oauth_client: OAuthClient, session: requests.Session,
                 clock: Callable[[], datetime],
                 on_change: Callable[[str], None] | None = None) -> None:
        self._engine = engine
        self._vault = vault
        self._audit = audit
        self._policy = policy
        self._oauth = oauth_client
        self._session = session
        self._clock = clock
        self._on_change = on_change

    def _account_decision(self, rule_id: str, purpose: str) -> Decision:
        return Decision(rule_id == RULE_CONNECTED, rule_id, REASONS[rule_id], purpose, None,
                        self._policy.version)

    def _changed(self, mailbox: str) -> None:
        if self._on_change is not None:
            self._on_change(mailbox)

    def connect(self, user_id: str, *, email: str,
                credentials: google.oauth2.credentials.Credentials,
                granted_scopes: Iterable[str]) -> ConnectedAccount:
        """Record that ``user_id`` connected ``email``; seal its tokens in the vault (audited)."""
        mailbox = _normal(email)
        scopes = tuple(sorted(set(granted_scopes)))
        if not credentials.refresh_token:
            raise GmailAuthError("Google returned no refresh token; connect again with "
                                 "access_type=offline and prompt=consent")
        actor = Actor(kind=ActorKind.USER, id=mailbox)
        record_decision(self._audit, self._account_decision(RULE_CONNECTED, "account.connect"),
                        actor=actor, mailbox=mailbox, action="account.connect",
                        purpose="account.connect")
        self._vault.put(mailbox, tokens_of(credentials, scopes))
        now = self._clock()
        # Connecting again keeps the first connection's time: it fixes the account's place.
        values = {"granted_scopes": " ".join(scopes), "needs_reconnect": False}
        first = now
        with self._engine.begin() as conn:
            done = conn.execute(update(connected_accounts).where(
                connected_accounts.c.user_id == user_id,
                connected_accounts.c.mailbox == mailbox).values(**values)).rowcount
            if done:
                first = _aware(conn.execute(_CONNECTED_AT, {"user_id": user_id,
                                                            "mailbox": mailbox}).scalar_one())
        if not done:
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(connected_accounts).values(
                        user_id=user_id, mailbox=mailbox, connected_at=now, **values))
            except IntegrityError:
                pass  # a concurrent connect of the same pair won; its row is equivalent
        # Every user holding this mailbox now uses the new tokens, so none needs reconnecting.
        with self._engine.begin() as conn:
            conn.execute(update(connected_accounts).where(connected_accounts.c.mailbox == mailbox)
                         .values(needs_reconnect=False))
        self._changed(mailbox)
        return ConnectedAccount(user_id=user_id, email=mailbox, granted_scopes=scopes,
                                connected_at=first, needs_reconnect=False)

    def list_for(self, user_id: str) -> tuple[ConnectedAccount, ...]:
        """Return the Gmail accounts ``user_id`` connected: their own first, then the others
        in the order they were first connected (by address when connected at once).

        The web client numbers accounts in this order (``/u/0/``, ``/u/1/``, ...), as Gmail
        does: the user's own mailbox (the address they first signed in with) stays
        ``/u/0/``, adding an account gives it the next number, and reconnecting one keeps
        its number, so a bookmarked ``/u/N/`` keeps opening the same mailbox.
        """
        with self._engine.connect() as conn:
            rows = conn.execute(_ACCOUNTS_OF, {"user_id": user_id}).all()
        return tuple(ConnectedAccount(user_id=r.user_id, email=r.mailbox,
                                      granted_scopes=tuple(r.granted_scopes.split()),
                                      connected_at=_aware(r.connected_at),
                                      needs_reconnect=bool(r.needs_reconnect)) for r in rows)

    def is_connected(self, user_id: str, mailbox: str) -> bool:
        """Return whether ``user_id`` connected ``mailbox``."""
        with self._engine.connect() as conn:
            return conn.execute(_CONNECTED_AT, {"user_id": user_id,
                                                 "mailbox": _normal(mailbox)}).first() is not None

    def actor_for(self, user_id: str, mailbox: str, *, purpose: str = "email.read",
                  request_id: str | None = None) -> Actor:
        """Return the user actor for ``mailbox``; raise ``AccessDenied`` (audited) if not theirs."""
        address = _normal(mailbox)
        actor = Actor(kind=ActorKind.USER, id=address)
        if self.is_connected(user_id, address):
            return actor
        decision = self._account_decision(RULE_NOT_CONNECTED, purpose)
        record_decision(self._audit, decision, actor=Actor(kind=ActorKind.USER, id=user_id),
                        mailbox=address, action="account.use", purpose=purpose,
                        request_id=request_id)
        raise AccessDenied(decision)

    def actor_of(self, account: ConnectedAccount) -> Actor:
        """Return the user actor for an account ``list_for`` has just returned.

        The listing already shows the user connected the mailbox: a page that numbers the
        user's accounts and then opens one of them needs no second look (``actor_for``).
        """
        return Actor(kind=ActorKind.USER, id=_normal(account.email))

    def needs_reconnect(self, mailbox: str) -> bool:
        """Return whether Google refused this mailbox's refresh token (the user reconnects)."""
        c = connected_accounts.c
        with self._engine.connect() as conn:
            flags = conn.execute(select(c.needs_reconnect).where(c.mailbox == _normal(mailbox))
                                 ).scalars().all()
        return any(flags)

    def mark_needs_reconnect(self, mailbox: str) -> None:
        """Flag ``mailbox`` after Google refused its refresh token."""
        with self._engine.begin() as conn:
            conn.execute(update(connected_accounts)
                         .where(connected_accounts.c.mailbox == _normal(mailbox))
                         .values(needs_reconnect=True))
        self._changed(_normal(mailbox))

    def disconnect(self, user_id: str, email: str) -> bool:
        """Forget that ``user_id`` connected ``email`` (audited); revoke and drop its tokens.

        The token is revoked at Google and removed from the vault only when no other user
        still has the mailbox connected. Return whether the account was connected.
        """
        mailbox = _normal(email)
        if not self.is_connected(user_id, mailbox):
            return False
        actor = Actor(kind=ActorKind.USER, id=mailbox)
        record_decision(self._audit, self._account_decision(RULE_CONNECTED, "account.disconnect"),
                        actor=actor, mailbox=mailbox, action="account.disconnect",
                        purpose="account.disconnect")
        c = connected_accounts.c
        with self._engine.begin() as conn:
            conn.execute(delete(connected_accounts).where(c.user_id == user_id,
                                                          c.mailbox == mailbox))
            others = conn.execute(select(c.user_id).where(c.mailbox == mailbox)).first()
        if others is None:
            tokens = self._vault.get(mailbox)
            if tokens is not None:
                self._revoke(tokens.refresh_token or tokens.access_token)
            self._vault.delete(mailbox)
        self._changed(mailbox)
        return True

    def _revoke(self, token: str | None) -> None:
        """Revoke ``token`` at Google's revoke endpoint; an already-dead token is fine."""
        if not token:
            return
        try:
            response = self._session.post(self._oauth.revoke_uri, data={"token": token},
                                          timeout=(5, 30))
        except requests.RequestException as error:
            raise GmailUnavailable("Google's revoke endpoint could not be reached; the "
                                   "account stays disconnected here; retry the revocation "
                                   "from the Google account's security page") from error
        response.close()

    def credentials_for(self, mailbox: str) -> google.oauth2.credentials.Credentials:
        """Return google.auth credentials of ``mailbox`` from the vault.

        Stored tokens that fail authentication (altered, or moved from another account's
        row) are never used: the user is asked to reconnect, which replaces them. Tokens
        sealed with a key this process was not given raise ``VaultKeyMissing`` (logged
        with the key id): the process needs the current keys, and the user's grant is fine.
        """
        address = _normal(mailbox)
        try:
            tokens = self._vault.get(address)
        except SealedValueAltered as error:
            log.warning("stored Gmail tokens were refused: %s; the user is asked to reconnect",
                        error)
            raise GmailAuthError("this Gmail account's stored credentials were altered and "
                                 "are not used; ask the user to reconnect their Google "
                                 "account") from None
        except VaultKeyMissing as error:
            log.error("stored Gmail tokens cannot be opened: %s", error)
            raise
        if tokens is None or self.needs_reconnect(address):
            raise GmailAuthError("this Gmail account has no usable credentials; ask the user "
                                 "to reconnect their Google account")
        expiry = tokens.expiry.astimezone(UTC).replace(tzinfo=None) if tokens.expiry else None
        return google.oauth2.credentials.Credentials(
            token=tokens.access_token, refresh_token=tokens.refresh_token,
            token_uri=self._oauth.token_uri, client_id=self._oauth.client_id,
            client_secret=self._oauth.client_secret, scopes=list(tokens.scopes) or None,
            expiry=expiry)

    def store_credentials(self, mailbox: str,
                          credentials: google.oauth2.credentials.Credentials) -> None:
        """Write refreshed credentials of ``mailbox`` back to the vault, if its row is ours.

        Skipped (and logged without the mailbox) when the account was disconnected
        meanwhile or its row is sealed with a key this process does not hold (a worker on
        an older key list during a rotation); the credentials in memory keep working.
        """
        scopes = tuple(credentials.scopes or ())
        if not self._vault.put_refreshed(_normal(mailbox), tokens_of(credentials, scopes)):
            log.warning("refreshed Gmail tokens were not stored: the account was disconnected "
                        "meanwhile, or its tokens are sealed with a key this process was not "
                        "given (restart it with the current MAILGUARD_TOKEN_KEYS)")


def tokens_of(credentials: google.oauth2.credentials.Credentials,
              scopes: tuple[str, ...]) -> StoredTokens:
    """Return what the vault keeps of ``credentials``."""
    expiry = credentials.expiry
    if expiry is not None and expiry.tzinfo is None:  # google-auth keeps naive UTC
        expiry = expiry.replace(tzinfo=UTC)
    return StoredTokens(refresh_token=credentials.refresh_token,
                        access_token=credentials.token, expiry=expiry, scopes=scopes)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
