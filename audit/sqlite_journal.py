"""Switch an SQLite database to WAL when a connection opens, even with others doing the same.

Every MailGuard connection to an SQLite file asks for WAL mode when it opens. On a new file
that switch is a write which SQLite makes by upgrading a read transaction; when two
processes switch at the same moment, SQLite refuses one at once with "database is locked"
(upgrading both could deadlock), without waiting for the busy timeout. Web workers, audit
writers and operator commands starting together on a new file did exactly that. The switch
is therefore retried until it succeeds or ``timeout`` passes; once the file is in WAL mode,
asking again changes nothing and is never refused.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any


def switch_to_wal(dbapi_connection: Any, *, timeout: float) -> None:
    """Put the connection's database in WAL mode; retry while another process switches it.

    Raises the driver's OperationalError when the database stays locked for ``timeout``
    seconds, or at once for any other failure (a read-only file, a full disk).
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        finally:
            cursor.close()
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
