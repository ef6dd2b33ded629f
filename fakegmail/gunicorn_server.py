"""Serve the emulator with gunicorn: one worker process, many threads (``fake-gmail``).

The whole emulator state lives in memory, so there is exactly one worker process; it is
forked from the process that built (and seeded) the state, and answers on a pool of
threads. The listening socket is bound before gunicorn starts, so the caller knows the
port (``--port 0``) and a busy port is reported before anything forks. The worker is
gunicorn's threaded worker, kept on a keep-alive connection while requests keep coming
(see :class:`EagerKeepAliveWorker`).

If the worker dies, gunicorn starts a new one from the state as it was at start-up:
changes made through the API since then are lost.
"""

from __future__ import annotations

import os
import select
import socket
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from fakegmail.state import EmulatorState


@dataclass(frozen=True, slots=True)
class GunicornSettings:
    """How the embedded gunicorn runs the emulator."""

    threads: int = 8
    timeout_s: int = 300
    """Worker silence before gunicorn restarts it: above the 120 s of injectable latency."""
    graceful_timeout_s: int = 5
    keepalive_s: int = 75
    loglevel: str = "warning"


EAGER_WAIT_S = 0.002
"""How long a worker thread waits on its connection for the client's next request."""


class EagerKeepAliveWorker(ThreadWorker):
    """gunicorn's threaded worker, answering a keep-alive client's next request at once.

    The stock worker hands every finished keep-alive connection back to its main thread's
    poller, which hands the next request to a pool thread again: two thread switches and
    four system calls per request. Here the thread that answered waits up to
    ``EAGER_WAIT_S`` for the next request on the same connection (a client that fetches
    messages one after another sends it within a fraction of a millisecond) and only then
    returns the connection to the poller.
    """

    def handle(self, conn: Any) -> Any:
        """Answer requests on ``conn`` while they keep coming; return gunicorn's verdict."""
        result = super().handle(conn)
        while result is True and self.alive:
            if not _buffered(conn) and not select.select([conn.sock], [], [],
                                                         EAGER_WAIT_S)[0]:
                break
            result = super().handle(conn)
        return result


def _buffered(conn: Any) -> bool:
    """Tell whether gunicorn has already read bytes of the connection's next request."""
    buffer = getattr(getattr(getattr(conn, "parser", None), "unreader", None), "buf", None)
    return bool(buffer is not None and buffer.getvalue())


def listen(host: str, port: int) -> socket.socket:
    """Return a TCP socket bound to ``host:port`` and listening; raise OSError if it can't."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port,
                                                         type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit
        sock.bind(address)
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


class GunicornEmulator(BaseApplication):
    """A gunicorn application serving ``create_app(state)`` on an already bound socket.

    ``serve()`` blocks until SIGINT (quick stop) or SIGTERM (graceful stop, waiting up to
    ``graceful_timeout_s`` for requests in flight) and returns the exit status.
    """

    def __init__(self, state: EmulatorState, listener: socket.socket,
                 settings: GunicornSettings | None = None) -> None:
        from fakegmail.app import create_app

        self.state = state
        self.application = create_app(state)
        self.settings = settings or GunicornSettings()
        self._fd = listener.detach()  # gunicorn owns the descriptor from here on
        super().__init__()

    def load_config(self) -> None:
        """Give gunicorn its settings: one gthread worker on our socket, quiet logs."""
        wanted: dict[str, Any] = {
            "bind": [f"fd://{self._fd}"],
            "workers": 1,
            "worker_class": "fakegmail.gunicorn_server.EagerKeepAliveWorker",
            "threads": self.settings.threads,
            "timeout": self.settings.timeout_s,
            "graceful_timeout": self.settings.graceful_timeout_s,
            "keepalive": self.settings.keepalive_s,
            "loglevel": self.settings.loglevel,
            "accesslog": None,
            "preload_app": True,
            "proc_name": "fakegmail",
            "control_socket_disable": True,  # gunicorn >= 24 would open a control socket
        }
        for name, value in wanted.items():
            if name in self.cfg.settings:
                self.cfg.set(name, value)

    def serve(self) -> int:
        """Run the gunicorn master here until stopped; return its exit status.

        In the forked worker, gunicorn ends with ``SystemExit``; that is re-raised so the
        worker never runs its parent's code after this call.
        """
        master = os.getpid()
        try:
            self.run()
        except SystemExit as stop:
            if os.getpid() != master:
                raise
            return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except KeyboardInterrupt:
            if os.getpid() != master:
                raise
        return 0

    def load(self) -> Any:
        """Return the WSGI application (built, with its state, before the worker forks)."""
        return self.application
