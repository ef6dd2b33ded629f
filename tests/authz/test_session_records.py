"""Server-side session records: issued, checked, revoked, and shared by every web process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from guard.db import open_engine
from tests.authz.conftest import SUPPORT, World, cookie_value, copy_cookies, page_token
from tests.authz.test_sessions import MAIL_COOKIE, signed_out_of_mail, signed_out_of_staff
from tests.conftest import database_url_for
from tests.webclient.conftest import app_config, new_mailbox, sign_in
from tests.webclient.staff.conftest import Clock, staff_sign_in
from webclient import create_app
from webclient.auth.session_records import (
    TOUCH_INTERVAL,
    SessionKind,
    SessionStore,
    web_sessions,
)

ALICE = "alice@example.org"
BOB = "bob@example.org"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """Return an engine on a fresh database of the run's backend."""
    made = open_engine(database_url_for(tmp_path / "sessions.db"))
    yield made
    made.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))


def new_store(engine: Engine, clock: Clock) -> SessionStore:
    return SessionStore(engine, key=b"session-records-test-key", clock=clock)


def test_an_issued_session_is_live_for_its_user_and_kind_only(engine: Engine,
                                                              clock: Clock) -> None:
    store = new_store(engine, clock)
    sid = store.issue(SessionKind.MAIL, ALICE)
    record = store.check(SessionKind.MAIL, ALICE, sid)
    assert record is not None and record.live and record.created_at == clock.now
    assert store.check(SessionKind.MAIL, BOB, sid) is None
    assert store.check(SessionKind.STAFF, ALICE, sid) is None
    assert store.check(SessionKind.MAIL, ALICE, sid + "x") is None
    assert store.check(SessionKind.MAIL, ALICE, "") is None


def test_a_revoked_session_stays_revoked(engine: Engine, clock: Clock) -> None:
    store = new_store(engine, clock)
    sid = store.issue(SessionKind.STAFF, ALICE)
    other = store.issue(SessionKind.STAFF, ALICE)
    assert store.revoke(sid) is True
    assert store.revoke(sid) is False
    assert store.check(SessionKind.STAFF, ALICE, sid) is None
    assert store.check(SessionKind.STAFF, ALICE, other) is not None


def test_revoke_all_ends_one_users_sessions_of_one_kind(engine: Engine, clock: Clock) -> None:
    store = new_store(engine, clock)
    mail = [store.issue(SessionKind.MAIL, ALICE) for _ in range(3)]
    staff = store.issue(SessionKind.STAFF, ALICE)
    bobs = store.issue(SessionKind.MAIL, BOB)
    assert store.revoke_all(SessionKind.MAIL, ALICE) == 3
    assert all(store.check(SessionKind.MAIL, ALICE, sid) is None for sid in mail)
    assert store.check(SessionKind.STAFF, ALICE, staff) is not None
    assert store.check(SessionKind.MAIL, BOB, bobs) is not None


def test_last_seen_is_written_at_most_once_per_interval(engine: Engine, clock: Clock) -> None:
    store = new_store(engine, clock)
    sid = store.issue(SessionKind.MAIL, ALICE)
    start = clock.now
    clock.advance(seconds=TOUCH_INTERVAL.total_seconds() - 1)
    store.check(SessionKind.MAIL, ALICE, sid)
    record = store.check(SessionKind.MAIL, ALICE, sid)
    assert record is not None and record.last_seen_at == start
    clock.advance(seconds=1)
    store.check(SessionKind.MAIL, ALICE, sid)
    record = store.check(SessionKind.MAIL, ALICE, sid)
    assert record is not None and record.last_seen_at == start + TOUCH_INTERVAL


def test_the_table_holds_neither_the_session_id_nor_the_address(engine: Engine,
                                                                clock: Clock) -> None:
    store = new_store(engine, clock)
    sid = store.issue(SessionKind.MAIL, ALICE)
    with engine.connect() as conn:
        rows = conn.execute(select(web_sessions)).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert len(rows) == 1
    assert sid not in stored and ALICE not in stored and "alice" not in stored


def test_a_revocation_by_one_process_holds_in_another(engine: Engine, clock: Clock) -> None:
    first, second = new_store(engine, clock), new_store(engine, clock)
    sid = first.issue(SessionKind.MAIL, ALICE)
    assert second.check(SessionKind.MAIL, ALICE, sid) is not None
    first.revoke(sid)
    assert second.check(SessionKind.MAIL, ALICE, sid) is None


def test_a_store_needs_a_key(engine: Engine, clock: Clock) -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        SessionStore(engine, key=b"", clock=clock)


@pytest.fixture
def second_worker(world: World, tmp_path: Path) -> Iterator[Flask]:
    """Return a second web process on the world's database (same keys, same clock)."""
    keys = set(app_config(world.emulator, tmp_path)) | {"STAFF_DOMAIN", "GUARD_CLOCK",
                                                         "TRANSFER_ENDPOINTS"}
    app = create_app({key: world.app.config[key] for key in keys})
    yield app
    app.extensions["mailguard.guard"].close()


def test_a_mail_sign_out_on_one_process_ends_the_session_on_another(
        world: World, second_worker: Flask) -> None:
    box = new_mailbox(world.emulator, messages=1)
    here = world.app.test_client()
    assert sign_in(here, world.emulator, box.email).status_code == 302
    there = second_worker.test_client()
    copy_cookies(here, there)
    assert not signed_out_of_mail(there)
    token = page_token(here, "/auth/accounts")
    assert here.post("/auth/signout", data={"csrf_token": token}).status_code == 302
    assert signed_out_of_mail(there)


def test_a_staff_sign_out_on_one_process_ends_the_session_on_another(
        world: World, second_worker: Flask) -> None:
    here = world.app.test_client()
    assert staff_sign_in(here, world.emulator, SUPPORT).status_code == 302
    there = second_worker.test_client()
    copy_cookies(here, there)
    assert not signed_out_of_staff(there)
    token = page_token(here, "/auth/signin")
    assert here.post("/staff/signout", data={"csrf_token": token}).status_code == 302
    assert signed_out_of_staff(there)


def test_connecting_another_account_keeps_one_session_that_one_sign_out_ends(
        world: World) -> None:
    box, more = new_mailbox(world.emulator, messages=1), new_mailbox(world.emulator, messages=1)
    client = world.app.test_client()
    assert sign_in(client, world.emulator, box.email).status_code == 302
    before = cookie_value(client, MAIL_COOKIE)
    assert before is not None
    assert sign_in(client, world.emulator, more.email).status_code == 302
    assert client.get("/u/1/f/inbox").status_code == 200
    token = page_token(client, "/auth/accounts")
    assert client.post("/auth/signout", data={"csrf_token": token}).status_code == 302
    replayed = world.app.test_client()
    replayed.set_cookie(MAIL_COOKIE, before)
    assert signed_out_of_mail(replayed)

