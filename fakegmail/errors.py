"""Gmail-shaped errors: ``{"error": {"code", "message", "errors": [...], "status"}}``."""

from __future__ import annotations

from typing import Any

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",  # Gmail's 409s ("Label name exists or conflicts") are ABORTED
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_DEFAULT_REASONS = {
    400: "invalidArgument",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    409: "aborted",
    412: "failedPrecondition",
    413: "uploadTooLarge",
    429: "rateLimitExceeded",
    500: "backendError",
    501: "notImplemented",
    502: "backendError",
    503: "backendError",
    504: "backendError",
}


class GmailError(Exception):
    """An error the emulator answers with, in Gmail's JSON shape and status code."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str | None = None,
        domain: str | None = "global",
        headers: dict[str, str] | None = None,
        detail: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
        status: str | None = None,
    ) -> None:
        """:param domain: ``errors[0].domain``; None leaves it out, as the errors Google's
            front end writes (request binding) carry none.
        :param detail: fields of Gmail's ``errors[0]`` that differ from the defaults (its
            own ``message``, ``location``, ``locationType``).
        :param details: the ``details`` list (``google.rpc`` messages such as ErrorInfo or
            BadRequest), left out when None.
        :param status: the canonical ``status`` when Gmail's differs from the code's usual
            one (a 400 ``FAILED_PRECONDITION``)."""
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _DEFAULT_REASONS.get(code, "unknown")
        self.domain = domain
        self.headers = dict(headers or {})
        self.detail = dict(detail or {})
        self.details = list(details) if details is not None else None
        self.status = status or _STATUS_NAMES.get(code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        """Return the JSON body Gmail sends for this error."""
        first: dict[str, Any] = {"message": self.message}
        if self.domain is not None:
            first["domain"] = self.domain
        first.update(reason=self.reason, **self.detail)
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [first],
            "status": self.status,
        }
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def invalid_argument(message: str) -> GmailError:
    """Return a 400 ``invalidArgument`` error."""
    return GmailError(400, message, reason="invalidArgument")


def not_found(message: str = "Requested entity was not found.") -> GmailError:
    """Return a 404 ``notFound`` error."""
    return GmailError(404, message, reason="notFound")
