"""A demo Qontak CRM on loopback: it receives MailGuard's transfers and shows what arrived.

``mailguard demo`` starts one and names its ``/transfers`` URL as the ``qontak-crm``
recipient's endpoint, so "log this conversation to Qontak CRM" can be followed end to
end: the page at ``/`` lists every received record with its data classes, and
``/records`` gives them as JSON for tests. Records live in memory only.

Security caveat: this is a stand-in for the real CRM; it listens on loopback, keeps what
it receives in memory and has no authentication. Never expose it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, render_template_string, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

MAX_BODY = 5 * 1024 * 1024
REQUIRED = ("transfer_id", "recipient", "basis", "mailbox", "data_classes", "data")


@dataclass(frozen=True, slots=True)
class ReceivedRecord:
    """One transfer as the CRM received it."""

    transfer_id: str
    recipient: str
    basis: str
    mailbox: str
    data_classes: tuple[str, ...]
    data: Mapping[str, Any]
    received_at: datetime

    def to_json(self) -> dict[str, Any]:
        """Return the record as JSON-ready values."""
        return {"transfer_id": self.transfer_id, "recipient": self.recipient,
                "basis": self.basis, "mailbox": self.mailbox,
                "data_classes": list(self.data_classes), "data": dict(self.data),
                "received_at": self.received_at.isoformat()}


class RecordBook:
    """The CRM's received records, in arrival order; safe to use from several threads."""

    def __init__(self) -> None:
        self._records: list[ReceivedRecord] = []
        self._lock = threading.Lock()

    def add(self, record: ReceivedRecord) -> None:
        """Keep ``record``."""
        with self._lock:
            self._records.append(record)

    def all(self) -> tuple[ReceivedRecord, ...]:
        """Return every record received so far."""
        with self._lock:
            return tuple(self._records)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Qontak CRM (demo)</title></head>
<body>
<h1>Qontak CRM (demo): records received from MailGuard</h1>
{% if not records %}<p>Nothing received yet.</p>{% endif %}
{% for r in records %}
<section class="record" id="{{ r.transfer_id }}">
  {% set target = r.data.get("target", {}) %}
  <h2>{{ target.get("kind", "record") }}: {{ target.get("name", "") }}</h2>
  <p>Transfer {{ r.transfer_id }} · received {{ r.received_at.isoformat() }} · basis {{ r.basis }}
     · data classes: <span class="classes">{{ r.data_classes|join(", ") }}</span></p>
  {% for m in r.data.get("metadata", {}).get("messages", []) %}
  <p>{{ m.get("date") or "" }} — {{ m.get("from") }} — <strong>{{ m.get("subject") }}</strong></p>
  {% endfor %}
  {% for m in r.data.get("content", {}).get("messages", []) %}
  <pre>{{ m.get("text") }}</pre>
  {% endfor %}
</section>
{% endfor %}
</body></html>
"""


def create_crm_app(book: RecordBook | None = None) -> Flask:
    """Build the demo CRM: ``POST /transfers``, ``GET /`` and ``GET /records``."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    records = book or RecordBook()
    app.extensions["crm.records"] = records

    @app.post("/transfers")
    def receive() -> Any:
        """Keep one transfer; answer 400 when it is not a MailGuard transfer."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or any(name not in body for name in REQUIRED):
            return jsonify(error="send a JSON object with " + ", ".join(REQUIRED)), 400
        if not isinstance(body["data"], dict) or not isinstance(body["data_classes"], list):
            return jsonify(error="data must be an object and data_classes a list"), 400
        records.add(ReceivedRecord(
            transfer_id=str(body["transfer_id"]), recipient=str(body["recipient"]),
            basis=str(body["basis"]), mailbox=str(body["mailbox"]),
            data_classes=tuple(str(c) for c in body["data_classes"]), data=body["data"],
            received_at=datetime.now(UTC)))
        return jsonify(received=str(body["transfer_id"])), 201

    @app.get("/")
    def index() -> Any:
        """Show the received records, newest first."""
        return render_template_string(PAGE, records=list(reversed(records.all())))

    @app.get("/records")
    def listing() -> Any:
        """Return the received records as JSON, in arrival order."""
        return jsonify(records=[r.to_json() for r in records.all()])

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Log nothing: the records are personal data."""


class CrmDemoServer:
    """The demo CRM served on a loopback port in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.records = RecordBook()
        self.app = create_crm_app(self.records)
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True,
                                                   request_handler=_QuietHandler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the CRM's base URL (its records page)."""
        host = self._server.server_address[0]
        name = host if isinstance(host, str) else host.decode()
        return f"http://{name}:{self._server.server_port}/"

    @property
    def transfer_url(self) -> str:
        """Return the URL MailGuard posts transfers to."""
        return self.url + "transfers"

    def start(self) -> CrmDemoServer:
        """Serve in a daemon thread; return self."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="mailguard-crm-demo")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> CrmDemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
