"""Choose the database every test runs on: an SQLite file by default, PostgreSQL on request.

``MAILGUARD_TEST_DATABASE=postgres`` (with ``MAILGUARD_TEST_PG_URL`` naming a server, as
``scripts/with-postgres.sh`` sets it) gives each test a fresh PostgreSQL database, created
with a random name and dropped after the test; otherwise a test gets an SQLite file in its
``tmp_path``. Fixtures ask ``database_url`` (a fixture) or ``database_url_for(path)`` (for
helpers that already take a folder): the same path always yields the same database within
a test, so a test that reopens "the file" reopens the same PostgreSQL database.

Tests about SQLite itself (raw ``sqlite3`` tampering, file deletion, ``:memory:``) carry
``@pytest.mark.sqlite_only`` or are listed in ``SQLITE_ONLY`` below; the PostgreSQL run
deselects them (they are reported as deselected, never skipped).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# MAILGUARD_TEST_NOW moves the wall clock of the test process (see tests/clock_shift.py).
pytest_plugins = ["tests.clock_shift"]

# Property and fuzz tests draw the same inputs on every run of the suite, so a run cannot
# fail on an input no earlier run tried; the long runs of ``make hostile``
# (``HOSTILE_SECONDS``) draw new ones, and what they find becomes a kept example or seed.
hypothesis_settings.register_profile("suite", derandomize=True, database=None)
hypothesis_settings.register_profile("explore")
hypothesis_settings.load_profile("explore" if os.environ.get("HOSTILE_SECONDS") else "suite")

BACKENDS = ("sqlite", "postgres")
BACKEND = os.environ.get("MAILGUARD_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"

#: Tests that are about SQLite by nature (node id prefix -> why), besides those that ask for
#: the ``sqlite_path`` fixture (an SQLite file by definition). The PostgreSQL run deselects
#: them; each ran in the SQLite run.
SQLITE_ONLY: dict[str, str] = {
    "tests/webclient/review/test_integrity.py::test_a_rewritten_entry_is_named_as_the_first":
        "tampers with the SQLite file through sqlite3",
    "tests/webclient/review/test_integrity.py::test_a_verification_that_cannot_run_is_shown":
        "tampers with the SQLite file through sqlite3",
    "tests/guard/vault/test_vault.py::test_the_database_file_holds_no_token":
        "reads the SQLite file's bytes",
    "tests/audit/store/test_append.py::test_memory_sqlite_is_refused":
        "refuses SQLite's :memory: database",
    "tests/audit/store/test_fail_closed.py::test_directory_removed_under_an_open_log":
        "removes the SQLite file's folder under an open log",
    "tests/hostile/test_secrets.py::test_a_full_session_leaves_no_secret_and_no_content":
        "scans the SQLite file's bytes for secrets",
    "tests/hostile/test_secrets.py::test_debug_logging_of_the_oauth_exchange_records_no_token":
        "runs the same full session, which scans the SQLite file's bytes",
    "tests/hostile/test_secrets.py::test_the_database_holds_no_subject_after_a_consent":
        "scans the SQLite file's bytes for the consented message's subject",
}


def pytest_configure(config: pytest.Config) -> None:
    """Check the backend choice; register the marker of SQLite-specific tests."""
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite itself; deselected when "
        "MAILGUARD_TEST_DATABASE=postgres")
    if BACKEND not in BACKENDS:
        raise pytest.UsageError(f"MAILGUARD_TEST_DATABASE={BACKEND!r} is not known; use "
                                f"{' or '.join(BACKENDS)}")
    if BACKEND == "postgres" and not os.environ.get("MAILGUARD_TEST_PG_URL"):
        raise pytest.UsageError("MAILGUARD_TEST_DATABASE=postgres needs MAILGUARD_TEST_PG_URL "
                                "(a server URL); run the tests under scripts/with-postgres.sh")


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the tests run on."""
    return f"mailguard test database: {BACKEND}"


def is_sqlite_only(item: pytest.Item) -> bool:
    """Return whether ``item`` is about SQLite itself."""
    if item.get_closest_marker("sqlite_only") or "sqlite_path" in getattr(
            item, "fixturenames", ()):
        return True
    return any(item.nodeid.startswith(prefix) for prefix in SQLITE_ONLY)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the PostgreSQL run, deselect the tests that are about SQLite itself."""
    if BACKEND != "postgres":
        return
    kept = [item for item in items if not is_sqlite_only(item)]
    dropped = [item for item in items if is_sqlite_only(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def backend_params() -> list[object]:
    """Return the params of a fixture that runs on both backends in the default run.

    The default run covers SQLite, and PostgreSQL too when a server is given
    (``MAILGUARD_TEST_PG_URL``); the PostgreSQL run covers PostgreSQL only, since the SQLite
    case ran in the default run. Nothing is skipped for want of a server.
    """
    postgres = pytest.param("postgres", marks=pytest.mark.postgres)
    if BACKEND == "postgres":
        return [postgres]
    return ["sqlite", postgres] if os.environ.get("MAILGUARD_TEST_PG_URL") else ["sqlite"]


# -- PostgreSQL databases -------------------------------------------------------------------


def pg_server_url() -> str:
    """Return the PostgreSQL server URL; fail (never skip) when none is configured."""
    url = os.environ.get("MAILGUARD_TEST_PG_URL")
    if not url:
        pytest.fail("MAILGUARD_TEST_PG_URL is unset; run the tests under "
                    "scripts/with-postgres.sh (make test does)")
    return url


class PostgresDatabases:
    """Create and drop the throw-away databases of this pytest process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._admin: Engine | None = None
        self.created: list[str] = []
        self.by_path: dict[Path, str] = {}

    def _engine(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(pg_server_url(), isolation_level="AUTOCOMMIT",
                                        pool_size=1, max_overflow=0)
        return self._admin

    def create(self, prefix: str = "mailguard") -> str:
        """Create an empty database with a random name; return its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:16]}"
        with self._lock, self._engine().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            self.created.append(name)
        return make_url(pg_server_url()).set(database=name).render_as_string(
            hide_password=False)

    def for_path(self, path: Path) -> str:
        """Return the database standing for the SQLite file ``path`` (created once)."""
        key = Path(path).resolve()
        with self._lock:
            url = self.by_path.get(key)
        if url is None:
            url = self.create()
            with self._lock:
                self.by_path[key] = url
        return url

    def drop(self, url: str) -> None:
        """Drop the database at ``url`` after closing every connection to it."""
        self._drop(str(make_url(url).database))

    def _drop(self, name: str) -> None:
        with self._lock:
            if name not in self.created:
                return
            self.created.remove(name)
            for key in [k for k, v in self.by_path.items()
                        if make_url(v).database == name]:
                del self.by_path[key]
        with self._engine().connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    def drop_all(self, since: int = 0) -> None:
        """Drop every database created after the first ``since``."""
        for name in list(self.created[since:]):
            self._drop(name)

    def close(self) -> None:
        self.drop_all()
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None


POSTGRES = PostgresDatabases()


def database_url_for(path: Path) -> str:
    """Return the database URL a test should use where it would use the SQLite file ``path``.

    SQLite run: ``sqlite:///<path>``. PostgreSQL run: a fresh database, the same one for
    the same path until the test (or, for module fixtures, the session) ends.
    """
    if BACKEND == "postgres":
        return POSTGRES.for_path(path)
    return f"sqlite:///{path}"


@pytest.fixture(autouse=True, scope="session")
def _drop_session_databases() -> Iterator[None]:
    """Drop, at the end, the PostgreSQL databases that module and session fixtures made."""
    yield
    POSTGRES.close()


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases made while this test ran (after its fixtures close)."""
    mark = len(POSTGRES.created)
    yield
    if len(POSTGRES.created) > mark:
        POSTGRES.drop_all(since=mark)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """Return a fresh, empty PostgreSQL database (whatever the run's backend); drop it after."""
    url = POSTGRES.create()
    try:
        yield url
    finally:
        POSTGRES.drop(url)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Return this test's database: ``tmp_path/mailguard.db``, or a fresh PostgreSQL one."""
    return database_url_for(tmp_path / "mailguard.db")
