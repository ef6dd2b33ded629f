"""Run the emulator on a loopback port in a background thread (tests, demo, benchmarks)."""

from __future__ import annotations

import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from fakegmail.app import create_app
from fakegmail.state import EmulatorState


class _QuietHandler(WSGIRequestHandler):
    """HTTP/1.1 keep-alive handler that does not print a line per request."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """Send small answers at once: no Nagle delay waiting for the client's ACK."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class EmulatorServer:
    """A running emulator: ``url`` to point clients at, ``state`` to inspect, ``stop()``."""

    def __init__(self, state: EmulatorState | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.state = state if state is not None else EmulatorState()
        self.app = create_app(self.state)
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=_QuietHandler
        )
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}/"
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        """Serve in a daemon thread and return self."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name=f"fakegmail:{self.port}")
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
