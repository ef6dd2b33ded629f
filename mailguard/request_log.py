"""The demo web server's request log: method, path and status, never the query string.

A query string can carry an OAuth authorization code (``/auth/callback?code=...``) or a
search that names an address or words of a message (``/u/0/search?q=from:...``); none of
that may reach a log. ``mailguard serve`` (gunicorn) keeps no access log at all.
"""

from __future__ import annotations

from typing import Any

from werkzeug.serving import WSGIRequestHandler


class PathOnlyRequestLog(WSGIRequestHandler):
    """werkzeug's request handler, logging each request without its query string."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """Log ``"METHOD /path" status`` (the path cut at ``?``)."""
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, code)
