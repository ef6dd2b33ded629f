"""Fixtures for the transfer gate: the shared database fixtures and a loopback receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.guard.broker.conftest import (  # noqa: F401 - fixtures used by these tests
    audit_log,
    clock,
    db_url,
    engine,
    pg_url,
    transfer_consents,
    vault_keys,
)


@dataclass
class Receiver:
    """A tiny HTTP recipient on loopback: records each JSON body it is sent."""

    url: str = ""
    status: int = 200
    location: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.bodies.append(json.loads(request.get_data()))
        headers = {"Location": self.location} if self.location else {}
        return Response("{}", status=self.status, headers=headers,
                        mimetype="application/json")(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Serve a Receiver on 127.0.0.1 in a thread for one test."""
    app = Receiver()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.url = f"http://127.0.0.1:{server.server_port}/transfers"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        thread.join()
