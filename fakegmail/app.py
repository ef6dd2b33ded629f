"""Assemble the emulator's Flask application: Gmail API, batch, upload, OAuth, control,
discovery."""

from __future__ import annotations

import logging
import socket
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from fakegmail.discovery import method_at
from fakegmail.errors import GmailError
from fakegmail.faults import DropConnection
from fakegmail.json_output import encode_answer
from fakegmail.method_override import MethodOverride
from fakegmail.state import EmulatorState

log = logging.getLogger(__name__)


def gmail_error_response(error: GmailError) -> Response:
    """Return ``error`` as Gmail sends it: JSON body, status code and headers."""
    response = Response(encode_answer(error.body()), status=error.code,
                        content_type="application/json; charset=UTF-8")
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def create_app(state: EmulatorState | None = None) -> Flask:
    """Return a WSGI app emulating Gmail and Google OAuth over ``state`` (new if None)."""
    from fakegmail import batch, control, discovery_service, gmail_api, oauth

    app = Flask(__name__)
    app.wsgi_app = MethodOverride(app.wsgi_app)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = None
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["fakegmail"] = state if state is not None else EmulatorState()

    app.register_blueprint(gmail_api.blueprint)
    app.register_blueprint(batch.blueprint)
    app.register_blueprint(oauth.blueprint)
    app.register_blueprint(control.blueprint)
    app.register_blueprint(discovery_service.blueprint)

    @app.errorhandler(GmailError)
    def on_gmail_error(error: GmailError) -> Response:
        return gmail_error_response(error)

    @app.errorhandler(DropConnection)
    def on_drop(error: DropConnection) -> Response:
        sock: Any = request.environ.get("werkzeug.socket") or request.environ.get(
            "gunicorn.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return gmail_error_response(GmailError(503, "Connection dropped (injected fault)."))

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code in (404, 405):
            method = method_at(request.method, request.path)
            if method is not None:  # a real Gmail method the emulator does not serve
                return gmail_error_response(GmailError(
                    501, f"Method {method.id} is not implemented by the Gmail emulator; "
                         "see the README for the methods it serves"))
        message = {404: "Not Found", 405: "Method Not Allowed"}.get(code, error.name)
        return gmail_error_response(GmailError(code, message))

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception) -> Response:
        log.exception("emulator error on %s %s", request.method, request.path)
        return gmail_error_response(GmailError(500, "Backend Error", reason="backendError"))

    @app.after_request
    def count(response: Response) -> Response:
        method_id = g.get("method_id")
        if method_id:
            app.extensions["fakegmail"].stats.record(
                method_id, response.status_code, new_call=not g.get("continues_call", False))
        return response

    return app
