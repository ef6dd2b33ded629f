"""Staff sign-in (Google OpenID Connect, Qontak's domain only), role switch, sign-out."""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from guard.policy import Actor, ActorKind
from guard.recording import record
from guard.staff import ADMIN_PURPOSE
from webclient.auth.views import safe_next
from webclient.guard_link import current_guard
from webclient.staff import oidc, services, staff_session
from webclient.staff.blueprint import blueprint
from webclient.staff.console import Section, request_id, sections_for
from webclient.staff.staff_session import staff_required

PENDING_KEY = "staff_oidc_pending"
NEXT_KEY = "staff_after_signin"
#: The guard's rule for someone who is not an active staff member.
RULE_NOT_STAFF = "staff.not_registered"

SECTION_ENDPOINTS = {Section.CONSENTED: "staff.consented", Section.GRANTS: "staff.grants",
                     Section.AGGREGATES: "staff.aggregates"}


def staff_domain() -> str | None:
    """Return the Google Workspace domain staff sign in with, or None when unset."""
    value = current_app.config.get("STAFF_DOMAIN") or os.environ.get("MAILGUARD_STAFF_DOMAIN")
    cleaned = str(value or "").strip().lower()
    return cleaned or None


def _redirect_uri() -> str:
    return url_for("staff.callback", _external=True)


def _refused(message: str, status: int) -> Any:
    return render_template("staff/refused.html", message=message), status


@blueprint.get("/signin")
def signin() -> Any:
    """Show the staff sign-in page (or the console to a signed-in member)."""
    if staff_session.current() is not None:
        return redirect(url_for("staff.home"))
    wanted = safe_next(request.args.get("next"))
    if wanted and wanted.startswith("/staff/"):
        session[NEXT_KEY] = wanted
    return render_template("staff/signin.html", domain=staff_domain())


@blueprint.get("/start")
def start() -> Any:
    """Send the browser to Google to sign in with a Qontak account."""
    domain = staff_domain()
    if domain is None:
        return _refused(_("Staff sign-in is not configured: set MAILGUARD_STAFF_DOMAIN to "
                          "Qontak's Google Workspace domain."), 503)
    url, pending = oidc.start(current_app.config["OAUTH_CLIENT"], _redirect_uri(),
                              domain=domain)
    session[PENDING_KEY] = pending.to_session()
    return redirect(url)


@blueprint.get("/callback")
def callback() -> Any:
    """Finish the sign-in: verify Google's answer, then look the person up as staff."""
    pending = oidc.PendingStaffSignIn.from_session(session.pop(PENDING_KEY, None))
    domain = staff_domain()
    if request.args.get("error"):
        return _refused(_("You cancelled the sign-in at Google."), 400)
    if pending is None or domain is None:
        return _refused(_("This sign-in has expired or was started in another browser. "
                          "Start again."), 400)
    try:
        identity = oidc.finish(current_app.config["OAUTH_CLIENT"], _redirect_uri(), pending,
                               state=request.args.get("state", ""),
                               code=request.args.get("code", ""), domain=domain,
                               session=current_guard().http_session)
    except oidc.StaffSignInError as error:
        if error.code == "domain":
            return _refused(_("Only Qontak staff accounts (@%(domain)s) can sign in to the "
                              "staff console.", domain=domain), 403)
        return _refused(_("Google's answer could not be accepted. Start the sign-in "
                          "again."), 400)
    member = services.staff().get(identity.email)
    if member is None or not member.active or not member.roles:
        guard = current_guard()
        record(guard.audit, actor=Actor(kind=ActorKind.STAFF, id=identity.email),
               action="staff.signin", purpose=ADMIN_PURPOSE, allowed=False,
               rule_id=RULE_NOT_STAFF, policy_version=guard.policy.version,
               request_id=request_id(), outcome="refused")
        return _refused(_("You are not registered as Qontak staff, so the console is closed "
                          "to you. Ask a security administrator to add you with `mailguard "
                          "staff add`. This attempt was recorded."), 403)
    target = safe_next(session.pop(NEXT_KEY, None)) or url_for("staff.home")
    answer = redirect(target)
    staff_session.start(answer, member, staff_session.default_role(member))
    return answer


@blueprint.post("/signout")
def signout() -> Any:
    """End the staff session everywhere its cookie went (a mail session is untouched)."""
    answer = redirect(url_for("staff.signin"))
    staff_session.sign_out(answer)
    return answer


@blueprint.post("/role")
@staff_required
def role() -> Any:
    """Act in another of the member's roles."""
    me = staff_session.signed_in()
    wanted = request.form.get("role", "")
    if wanted not in me.member.roles:
        return _refused(_("You do not hold that role."), 403)
    answer = redirect(url_for("staff.home"))
    staff_session.switch_role(answer, me, wanted)
    return answer


@blueprint.get("/")
@staff_required
def home() -> Any:
    """Open the first section the member's role has."""
    sections = sections_for(staff_session.signed_in().role)
    if not sections:
        return _refused(_("Your role has no part of the console."), 403)
    return redirect(url_for(SECTION_ENDPOINTS[sections[0]]))


@blueprint.context_processor
def _console_globals() -> dict[str, Any]:
    """Give staff templates the signed-in member and the sections of their role."""
    me = staff_session.current()
    return {"staff_me": me,
            "staff_sections": [(s, SECTION_ENDPOINTS[s]) for s in sections_for(me.role)]
            if me is not None else []}
