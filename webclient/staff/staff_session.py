"""The staff session: its own signed cookie, apart from a mail user's session.

A mail user's session never makes anyone staff, and a staff session never opens a
mailbox as its owner. The cookie holds the staff address, the role they act in, when
they signed in and a random session id; it is signed with the app's secret key under its
own salt, sent only to ``/staff``, and lasts ``STAFF_SESSION_HOURS`` (8 by default) on
the guard's clock, ending sooner after ``STAFF_SESSION_IDLE_MINUTES`` (30) without a
request (``webclient.auth.session_records``). Every request re-reads the staff registry,
so a removed member or a withdrawn role ends the session at once, and looks the session
id up among the server's session records, so sign-out ends every copy of the cookie, not
just the browser's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app, g, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from guard.policy import Actor
from guard.staff import StaffMember
from webclient.auth.session_records import SessionKind, store
from webclient.staff import services

COOKIE = "mailguard_staff"
SALT = "mailguard.staff-session"
DEFAULT_HOURS = 8
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in staff member acting in one of their roles."""

    member: StaffMember
    role: str
    session_id: str
    signed_in_at: datetime
    expires_at: datetime

    @property
    def actor(self) -> Actor:
        """Return the guard actor for this member in the role they act in."""
        return self.member.actor(self.role)

    @property
    def email(self) -> str:
        """Return the member's work address."""
        return self.member.email


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=SALT)


def lifetime() -> timedelta:
    """Return how long a staff sign-in lasts."""
    return timedelta(hours=float(current_app.config.get("STAFF_SESSION_HOURS",
                                                        DEFAULT_HOURS)))


def default_role(member: StaffMember) -> str:
    """Return the role a member acts in after signing in (the first, alphabetically)."""
    return sorted(member.roles)[0]


def start(response: Response, member: StaffMember, role: str) -> None:
    """Set a new staff session cookie on ``response`` for ``member`` acting as ``role``."""
    now = services.now()
    sid = store().issue(SessionKind.STAFF, member.email)
    value = _serializer().dumps({"email": member.email, "role": role,
                                 "at": now.timestamp(), "sid": sid})
    response.set_cookie(COOKIE, value, max_age=int(lifetime().total_seconds()),
                        path="/staff", httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)))


def switch_role(response: Response, current: StaffSession, role: str) -> None:
    """Keep the sign-in but act in ``role`` (which the member must hold)."""
    current.member.actor(role)
    value = _serializer().dumps({"email": current.email, "role": role,
                                 "at": current.signed_in_at.timestamp(),
                                 "sid": current.session_id})
    remaining = max(0, int((current.expires_at - services.now()).total_seconds()))
    response.set_cookie(COOKIE, value, max_age=remaining, path="/staff", httponly=True,
                        samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)))


def end(response: Response) -> None:
    """Remove the staff session cookie (the server's record is left as it is)."""
    response.delete_cookie(COOKIE, path="/staff")


def sign_out(response: Response) -> None:
    """Revoke this request's staff session record and remove the cookie.

    The record is revoked even when the session no longer opens the console (the member
    was removed, the sign-in expired), so no copy of the cookie can come back later.
    """
    data = _payload()
    if data is not None:
        store().revoke(data["sid"])
    g.pop("_staff_session", None)
    end(response)


def current() -> StaffSession | None:
    """Return this request's staff session, or None when absent, expired or withdrawn."""
    if "_staff_session" in g:
        found: StaffSession | None = g._staff_session
        return found
    g._staff_session = _load()
    return g._staff_session


def _payload() -> dict[str, Any] | None:
    """Return the staff cookie's signed fields when they are all present and typed."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    email, role, at, sid = (data.get(k) for k in ("email", "role", "at", "sid"))
    if not (isinstance(email, str) and isinstance(role, str) and isinstance(sid, str)
            and isinstance(at, (int, float))):
        return None
    return {"email": email, "role": role, "at": at, "sid": sid}


def _load() -> StaffSession | None:
    data = _payload()
    if data is None:
        return None
    return resume(data["email"], data["role"], data["at"], data["sid"])


def session_fields(session: StaffSession) -> list[Any]:
    """Return what identifies ``session`` (address, role, sign-in time, session id), for a
    signed URL that must outlive the cookie's absence (``resume`` reads them back)."""
    return [session.email, session.role, session.signed_in_at.timestamp(),
            session.session_id]


def resume(email: str, role: str, at: float, sid: str) -> StaffSession | None:
    """Return the staff session these fields name while it is live, else None.

    Live means what a cookie needs: within its lifetime, the member active in the role,
    and the server's session record not revoked (sign-out ends it everywhere).
    """
    signed_in = datetime.fromtimestamp(at, tz=services.now().tzinfo)
    expires = signed_in + lifetime()
    if not signed_in <= services.now() < expires:
        return None
    member = services.staff().get(email)
    if member is None or not member.active or role not in member.roles:
        return None
    if store().check(SessionKind.STAFF, email, sid) is None:
        return None
    return StaffSession(member=member, role=role, session_id=sid, signed_in_at=signed_in,
                        expires_at=expires)


def staff_required(view: F) -> F:
    """Send anyone without a live staff session to the staff sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current() is None:
            target = url_for("staff.signin", next=request.path if request.method == "GET"
                             else None)
            answer = redirect(target)
            if request.cookies.get(COOKIE):
                end(answer)
            return answer
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def signed_in() -> StaffSession:
    """Return the staff session of a view guarded by ``staff_required``."""
    found = current()
    assert found is not None, "use @staff_required on this view"
    return found
