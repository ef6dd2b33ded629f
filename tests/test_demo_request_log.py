"""The demo server logs requests without their query strings (codes, searches)."""

from __future__ import annotations

import logging
import threading

import requests
from werkzeug.serving import make_server

from mailguard.request_log import PathOnlyRequestLog


def _ok(_environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_a_request_is_logged_by_path_and_status_only(caplog):
    server = make_server("127.0.0.1", 0, _ok, request_handler=PathOnlyRequestLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            requests.get(f"http://127.0.0.1:{server.port}/auth/callback",
                         params={"code": "4/0emu-SECRETCODE", "state": "s"}, timeout=10)
            requests.get(f"http://127.0.0.1:{server.port}/u/0/search",
                         params={"q": "from:siti@example.com"}, timeout=10)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert '"GET /auth/callback" 200' in logged and '"GET /u/0/search" 200' in logged
    assert "SECRETCODE" not in logged and "siti" not in logged and "?" not in logged
