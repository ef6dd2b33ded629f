"""Error pages: what happened and what the reader can do, never the details of the data."""

from __future__ import annotations

import traceback
from typing import Any

from flask import Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import InternalServerError, MethodNotAllowed, SecurityError

from audit import AuditUnavailable
from guard.errors import (
    AccessDenied,
    GmailAuthError,
    GmailError,
    GmailRejected,
    GmailTimeout,
    GmailUnavailable,
    SendUnconfirmed,
)
from guard.retry import GmailNotFound
from guard.vault import VaultKeyMissing
from webclient.link_cache import CachedLinks
from webclient.review.access import review_home_link


class MailGuardFlask(CachedLinks):
    """Flask that logs an unhandled exception without its text, and builds links once.

    Links: ``webclient.link_cache.CachedLinks``.

    Flask logs the whole traceback, whose last line is the exception's message, and a
    message can quote what it failed on: a subject, an address, a search. The log keeps
    the exception's class and where it was raised, which is what a developer needs.
    """

    def log_exception(self, exc_info: Any) -> None:
        """Log the request's method and path, the exception's class and its frames."""
        exc_type, _exc, trace = exc_info
        frames = "".join(traceback.format_tb(trace)) if trace is not None else ""
        name = exc_type.__name__ if exc_type is not None else "Exception"
        self.logger.error("Exception on %s [%s]: %s (message withheld)\n%s",
                          request.path, request.method, name, frames)


#: Gmail's reasons (with 403) for a project's daily quota used up, and for a Workspace
#: domain whose administrator has turned off API access to Gmail.
GMAIL_DAILY_LIMIT = "dailyLimitExceeded"
GMAIL_DOMAIN_POLICY = "domainPolicy"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _way_back() -> tuple[str, str]:
    """Return the error page's way back, and its text: the home of the area it is in.

    The staff console's pages lead back to the console, the review pages (for a reviewer)
    to the review home, everything else to the reader's mail.
    """
    if not _under(request.path, "/staff"):
        return url_for("pages.index"), _("Back to your mail")
    if _under(request.path, "/staff/review"):
        try:
            review_home = review_home_link()
        except (AuditUnavailable, OperationalError, InterfaceError):
            review_home = None  # the session could not be read: the console's sign-in
        if review_home is not None:
            return review_home
    return url_for("staff.home"), _("Back to the staff console")


def _page(status: int, title: str, message: str, **extra: Any) -> tuple[str, int]:
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": message}, status  # type: ignore[return-value]
    back_to, back_text = _way_back()
    return render_template("error.html", status=status, title=title, message=message,
                           back_to=back_to, back_text=back_text, **extra), status


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(GmailAuthError)
    def _reconnect(_error: GmailAuthError) -> Any:
        account = (request.view_args or {}).get("account")
        return _page(401, _("Reconnect your Gmail account"),
                     _("Google no longer accepts MailGuard's access to this account (the "
                       "access was withdrawn or has expired). Connect it again to keep "
                       "reading your mail."), reconnect=account)

    @app.errorhandler(AccessDenied)
    def _denied(error: AccessDenied) -> Any:
        return _page(403, _("Not allowed"),
                     _("MailGuard's privacy policy does not allow this (rule %(rule)s). The "
                       "refusal was recorded.", rule=error.rule_id))

    @app.errorhandler(AuditUnavailable)
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _audit(error: Exception) -> Any:
        # The database behind the audit log also holds accounts and consents: when it
        # cannot be reached (refused, dropped, disk gone), whichever read comes first
        # fails, and the answer is the same: no mail until access can be recorded again.
        # AuditUnavailable's text names the failed step and the driver's error class,
        # never a statement, a parameter or anything read from mail.
        reason = str(error) if isinstance(error, AuditUnavailable) else type(error).__name__
        app.logger.error("the audit store is unavailable; mail access refused: %s", reason)
        return _page(503, _("Mail is unavailable"),
                     _("MailGuard cannot record access to your mail right now, so it shows "
                       "none. Try again in a few minutes."))

    @app.errorhandler(VaultKeyMissing)
    def _key_missing(_error: VaultKeyMissing) -> Any:
        # A worker started without the newest token key while the keys are rotated; the
        # log (written where the error is raised) says which key id to configure.
        return _page(503, _("MailGuard is being updated"),
                     _("This part of MailGuard is being updated. Try again in a few "
                       "minutes."))

    @app.errorhandler(GmailNotFound)
    def _not_found(_error: GmailNotFound) -> Any:
        return _page(404, _("Not found"),
                     _("This conversation or message no longer exists in Gmail."))

    @app.errorhandler(SendUnconfirmed)
    def _send_unconfirmed(_error: SendUnconfirmed) -> Any:
        return _page(503, _("Your message may still be sent"),
                     _("Gmail did not confirm the send in time, and MailGuard did not send it "
                       "again. Look in Sent before you send it again, so it does not go "
                       "out twice."))

    @app.errorhandler(GmailUnavailable)
    @app.errorhandler(GmailTimeout)  # a GmailError too: named, or the 502 handler wins
    @app.errorhandler(TimeoutError)
    def _unavailable(_error: Exception) -> Any:
        return _page(503, _("Gmail is not answering"),
                     _("Gmail could not be reached. Check your connection and try again."))

    @app.errorhandler(GmailRejected)
    def _rejected(error: GmailRejected) -> Any:
        # Two refusals that no reload can fix: say what they are and what will.
        if error.status == 403 and error.reason == GMAIL_DAILY_LIMIT:
            app.logger.warning("Gmail refused a request: daily limit reached")
            return _page(503, _("Gmail's daily limit was reached"),
                         _("Google limits how many Gmail requests MailGuard may make each "
                           "day, and today's are used up. Your mail is safe in Gmail; try "
                           "again later."))
        if error.status == 403 and error.reason == GMAIL_DOMAIN_POLICY:
            app.logger.warning("Gmail refused a request: the domain's policy")
            return _page(403, _("Your organisation does not allow this"),
                         _("Your Google Workspace administrator does not allow apps to reach "
                           "Gmail for your account. Ask them to allow MailGuard."))
        if error.status != 400:
            return _gmail(error)
        # Gmail refused what the reader asked for (a search it cannot parse, a page link
        # it no longer accepts), not the other way round: a 400 that says what to change.
        app.logger.warning("Gmail refused a request as invalid")
        if request.endpoint == "mail.search":
            return _page(400, _("Gmail could not understand this search"),
                         _("Check the search for an unclosed parenthesis or quote, or an "
                           "operator without a value, and search again."))
        return _page(400, _("Bad request"),
                     _("Gmail could not use this request; the link may have expired. Go "
                       "back and try again from the page."))

    @app.errorhandler(GmailError)
    def _gmail(_error: GmailError) -> Any:
        app.logger.warning("a Gmail call failed: %s", type(_error).__name__)
        return _page(502, _("Gmail refused the request"),
                     _("Gmail did not accept this request. Reload the page and try again."))

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> Any:
        return _page(400, _("The form has expired"),
                     _("This form was not sent from a current MailGuard page. Reload the "
                       "page and try again."))

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: SecurityError) -> Any:
        # The Host is not in TRUSTED_HOSTS: no URL can be built for this request (the
        # page's links would name that host), so the answer is plain text.
        return _("MailGuard does not answer for this host name."), 400, {
            "Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(400)
    def _bad_request(_error: Exception) -> Any:
        return _page(400, _("Bad request"),
                     _("MailGuard could not understand this request. Go back and try again "
                       "from the page."))

    @app.errorhandler(403)
    def _forbidden(_error: Exception) -> Any:
        return _page(403, _("Not allowed"), _("You may not open this page."))

    @app.errorhandler(404)
    def _missing(_error: Exception) -> Any:
        return _page(404, _("Not found"), _("There is nothing at this address."))

    @app.errorhandler(405)
    def _wrong_method(error: MethodNotAllowed) -> Any:
        body, status = _page(405, _("Not possible here"),
                             _("This address does not take this kind of request. Use the "
                               "page's own buttons and links."))
        return body, status, {"Allow": ", ".join(sorted(error.valid_methods or ()))}

    @app.errorhandler(500)
    def _internal(error: InternalServerError) -> Any:
        # Flask has logged the exception; only its class is named here, never its text,
        # which could quote mail or addresses.
        original = error.original_exception
        app.logger.error("a request failed: %s",
                         type(original).__name__ if original else "InternalServerError")
        return _page(500, _("Something went wrong"),
                     _("MailGuard could not finish this request. Try again in a minute; if "
                       "it keeps happening, tell Qontak support."))

    @app.errorhandler(413)
    def _too_large(_error: Exception) -> Any:
        return _page(413, _("Too large"),
                     _("Attachments may total at most 25 MB; remove some files."))
