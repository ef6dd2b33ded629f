"""The authorization endpoint and its consent page: choose an account, Allow or Cancel."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import redirect, render_template, request
from werkzeug.wrappers import Response

from fakegmail.oauth.blueprint import blueprint, emulator_state, oauth_registry
from fakegmail.oauth.registry import (
    CODE_LIFETIME,
    OPENID_SCOPES,
    PENDING_LIFETIME,
    PKCE_CHARS,
    S256_CHALLENGE,
    AuthCode,
    AuthRequest,
    OAuthError,
    granted_scope_names,
    redirect_allowed,
    redirect_uri_problem,
)

_GMAIL = "https://www.googleapis.com/auth/gmail."
SCOPE_WORDS: dict[str, str] = {
    "https://mail.google.com/":
        "Read, compose, send, and permanently delete all your email from Gmail",
    _GMAIL + "readonly": "View your email messages and settings",
    _GMAIL + "modify": "Read, compose, and send emails from your Gmail account",
    _GMAIL + "compose": "Manage drafts and send emails",
    _GMAIL + "send": "Send email on your behalf",
    _GMAIL + "insert": "Add emails into your Gmail mailbox",
    _GMAIL + "labels": "See and edit your email labels",
    _GMAIL + "metadata": "View your email message metadata such as labels and headers, "
                         "but not the email body",
    _GMAIL + "settings.basic": "See, edit, create, or change your email settings and filters",
    _GMAIL + "settings.sharing": "Manage your sensitive mail settings, including who can "
                                 "manage your mail",
    "openid": "Associate you with your personal info on Google",
    "email": "See your primary Google Account email address",
    "https://www.googleapis.com/auth/userinfo.email":
        "See your primary Google Account email address",
    "profile": "See your personal info, including any personal info you've made publicly "
               "available",
    "https://www.googleapis.com/auth/userinfo.profile":
        "See your personal info, including any personal info you've made publicly available",
}

def _parse_auth_request(args: Any, now: float) -> AuthRequest:
    """Validate the authorization request's parameters; raise OAuthError for the page."""
    client_id = args.get("client_id", "")
    if not client_id:
        raise OAuthError("invalid_request", "Missing required parameter: client_id")
    registry = oauth_registry()
    client = registry.clients.get(client_id)
    if registry.clients and client is None:
        raise OAuthError("invalid_client", "The OAuth client was not found.", 401)
    redirect_uri = args.get("redirect_uri", "")
    if not redirect_uri:
        raise OAuthError("invalid_request", "Missing required parameter: redirect_uri")
    problem = redirect_uri_problem(redirect_uri)
    if problem:
        raise OAuthError("invalid_request", f"Invalid parameter value for redirect_uri: {problem}")
    if client is not None and not redirect_allowed(client, redirect_uri):
        raise OAuthError("redirect_uri_mismatch",
                         "The redirect URI in the request does not match the ones authorized "
                         "for the OAuth client; register it with POST /_emulator/clients.")
    response_type = args.get("response_type", "")
    if response_type != "code":
        raise OAuthError("unsupported_response_type",
                         f"Invalid response_type {response_type!r}: this server supports 'code'.")
    scopes = tuple(dict.fromkeys(args.get("scope", "").split()))
    if not scopes:
        raise OAuthError("invalid_request", "Missing required parameter: scope")
    unknown = [s for s in scopes if s not in OPENID_SCOPES and s != "https://mail.google.com/"
               and not s.startswith("https://www.googleapis.com/auth/")]
    if unknown:
        raise OAuthError("invalid_scope", f"Some requested scopes were invalid: {unknown}")
    state = args.get("state")
    if state is not None and len(state) > 2048:
        raise OAuthError("invalid_request", "Invalid parameter value for state: over 2048 chars")
    challenge = args.get("code_challenge") or None
    method = args.get("code_challenge_method") or None
    if method is not None and challenge is None:
        raise OAuthError("invalid_request", "code_challenge_method given without code_challenge")
    if challenge is not None:
        method = method or "plain"
        if method == "S256" and not S256_CHALLENGE.match(challenge):
            raise OAuthError("invalid_request", "Invalid code_challenge: S256 expects 43 "
                                                "base64url characters")
        if method == "plain" and not PKCE_CHARS.match(challenge):
            raise OAuthError("invalid_request", "Invalid code_challenge: expected 43-128 "
                                                "unreserved characters")
        if method not in {"S256", "plain"}:
            raise OAuthError("invalid_request",
                             f"Invalid code_challenge_method {method!r}: use S256 or plain")
    return AuthRequest(
        client_id=client_id, redirect_uri=redirect_uri, scopes=scopes, state=state,
        code_challenge=challenge, code_challenge_method=method,
        login_hint=args.get("login_hint") or None, nonce=args.get("nonce") or None,
        offline=args.get("access_type") == "offline",
        include_granted_scopes=args.get("include_granted_scopes") == "true",
        expires_at=now + PENDING_LIFETIME,
        prompt=frozenset(args.get("prompt", "").split()),
    )


def _error_page(error: OAuthError) -> tuple[str, int]:
    return render_template("fakegmail/oauth_error.html", error=error), error.status


def _redirect_back(auth: AuthRequest, **params: str) -> Response:
    if auth.state is not None:
        params["state"] = auth.state
    joiner = "&" if urlsplit(auth.redirect_uri).query else "?"
    return redirect(auth.redirect_uri + joiner + urlencode(params), code=302)


@blueprint.get("/o/oauth2/auth")
@blueprint.get("/o/oauth2/v2/auth")
def authorize() -> Any:
    """Show the consent page for a valid authorization request, or the error."""
    state = emulator_state()
    try:
        auth = _parse_auth_request(request.args, state.clock())
    except OAuthError as error:
        return _error_page(error)
    if "none" in auth.prompt:
        return _redirect_back(auth, error="interaction_required")
    registry = oauth_registry()
    request_id = secrets.token_urlsafe(24)
    with registry.lock:
        registry.pending[request_id] = auth
    hint = (auth.login_hint or "").strip().lower()
    accounts = sorted(state.accounts.values(), key=lambda a: a.email)
    selected = hint if state.account(hint) else (accounts[0].email if accounts else "")
    scopes = [(s, SCOPE_WORDS.get(s, s)) for s in auth.scopes]
    return render_template("fakegmail/oauth_consent.html", request_id=request_id,
                           accounts=accounts, selected=selected, scopes=scopes,
                           client_id=auth.client_id, login_hint=hint)


@blueprint.post("/signin/oauth/consent")
def consent() -> Any:
    """Take the user's choice from the consent page and redirect back to the client."""
    state = emulator_state()
    registry = oauth_registry()
    with registry.lock:
        auth = registry.pending.pop(request.form.get("request_id", ""), None)
    if auth is None or auth.expires_at <= state.clock():
        return _error_page(OAuthError("invalid_request", "This sign-in request is unknown or "
                                      "has expired; start again from the application."))
    if request.form.get("action") != "allow":
        return _redirect_back(auth, error="access_denied")
    email = (request.form.get("other_email") or request.form.get("account") or "").strip()
    if "@" not in email:
        with registry.lock:
            registry.pending[request.form["request_id"]] = auth
        return _error_page(OAuthError("invalid_request", "Choose an account, or enter an "
                                      "email address, then press Allow again."))
    account = state.ensure_account(email)
    scopes = frozenset(auth.scopes)
    with registry.lock:
        narrowed = registry.narrowed.get(account.email)
        if narrowed is not None:
            scopes = frozenset(s for s in scopes if s in narrowed or s in OPENID_SCOPES)
        previous = registry.granted.get((account.email, auth.client_id), frozenset())
        consented = "consent" in auth.prompt or not scopes <= previous
        if auth.include_granted_scopes:
            scopes |= previous
        registry.granted[(account.email, auth.client_id)] = previous | scopes
        code = "4/0emu-" + secrets.token_urlsafe(32)
        registry.codes[code] = AuthCode(request=auth, email=account.email, scopes=scopes,
                                        expires_at=state.clock() + CODE_LIFETIME,
                                        with_refresh_token=auth.offline and consented)
    granted = granted_scope_names(ordered_scopes(scopes, auth.scopes))
    return _redirect_back(auth, code=code, scope=" ".join(granted),
                          authuser="0", prompt="consent" if consented else "none")


def ordered_scopes(scopes: Iterable[str], requested: tuple[str, ...]) -> list[str]:
    """Return ``scopes`` in the order they were requested, extra ones after, sorted."""
    chosen = set(scopes)
    return [s for s in requested if s in chosen] + sorted(chosen - set(requested))


