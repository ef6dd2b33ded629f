"""``Guard.open`` wires every service on one database, policy, audit log and clock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from fakegmail.server import EmulatorServer
from guard.aggregates import Aggregates
from guard.broker import AccessBroker
from guard.consents import ConsentBook, TransferConsentBook
from guard.errors import GrantRequired
from guard.grants import GrantBook
from guard.policy import AccessBasis, DataClass, GrantReference, TransferBasis
from guard.provenance import GmailDerived
from guard.service import Guard
from guard.settings import SettingsError, transfer_endpoints_from_env
from guard.staff import StaffRegistry
from guard.transfers import TransferGate
from tests.guard.broker.conftest import ADMIN, Clock, staff_actor, user_actor
from tests.guard.mail.conftest import settings_for
from tests.guard.transfers.conftest import Receiver, receiver  # noqa: F401 - fixture

SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")
OPS = staff_actor("ops@qontak.com", "ops")
SHIPPED = Path("config/policy.toml").read_text(encoding="utf-8")


def test_open_wires_every_service_on_the_same_stores(
        emulator: EmulatorServer, tmp_path: Path, receiver: Receiver) -> None:  # noqa: F811
    settings = settings_for(emulator, tmp_path, transfer_endpoints={"qontak-crm": receiver.url})
    with Guard.open(settings) as guard:
        parts = {"staff": StaffRegistry, "consents": ConsentBook,
                 "transfer_consents": TransferConsentBook, "grants": GrantBook,
                 "broker": AccessBroker, "transfers": TransferGate, "aggregates": Aggregates}
        assert {name: type(getattr(guard, name)) for name in parts} == parts
        assert guard.grants.rules.pending_for == guard.policy.staff.pending_for \
            == timedelta(hours=24)
        assert guard.grants.rules.approval_for == timedelta(hours=72)
        guard.staff.add(SEC1.id, roles=["security"], by=ADMIN)
        guard.staff.add(OPS.id, roles=["ops"], by=ADMIN)
        grant = guard.grants.request(actor=SEC1, mailbox="owner@example.com",
                                     basis=AccessBasis.SECURITY,
                                     reference=GrantReference(case_id="C-1", category="abuse"))
        assert grant.pending_until is not None
        consent = guard.transfer_consents.record(actor=user_actor(), recipient_id="qontak-crm",
                                                 wording="Log this conversation to my CRM")
        payload = GmailDerived.of({"subject": "hi"}, mailbox=user_actor().id,
                                  message_ids=["m1"], data_class=DataClass.METADATA)
        receipt = guard.transfers.send("qontak-crm", mailbox=user_actor().id,
                                       basis=TransferBasis.FEATURE, payload=payload,
                                       user_consent=consent.id)
        assert receipt.status == 200 and len(receiver.bodies) == 1
        today = guard.settings.clock().date()
        counted = guard.aggregates.activity_by_day(OPS, since=today,
                                                   until=today + timedelta(days=1))
        assert counted.rows and all(row.suppressed for row in counted.rows)


def test_grant_lapse_times_come_from_the_policy_file(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(SHIPPED.replace("pending_request_hours = 24",
                                           "pending_request_hours = 2"), encoding="utf-8")
    clock = Clock()
    with Guard.open(settings_for(emulator, tmp_path, policy_path=policy_file,
                                 clock=clock)) as guard:
        for member in (SEC1, SEC2):
            guard.staff.add(member.id, roles=["security"], by=ADMIN)
        grant = guard.grants.request(actor=SEC1, mailbox="owner@example.com",
                                     basis=AccessBasis.SECURITY,
                                     reference=GrantReference(case_id="C-2", category="fraud"))
        clock.advance(hours=2, seconds=1)
        with pytest.raises(GrantRequired) as caught:
            guard.grants.approve(grant.id, actor=SEC2)
        assert caught.value.rule_id == "grant.request_lapsed"


def test_an_endpoint_for_a_recipient_the_policy_does_not_list_stops_start_up(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    settings = settings_for(emulator, tmp_path,
                            transfer_endpoints={"ad-network": "https://ads.example.com/in"})
    with pytest.raises(SettingsError, match="ad-network.*list them in the policy file"):
        Guard.open(settings)


@pytest.mark.parametrize("url", ["ftp://crm.example.com/in", "crm.example.com", ""])
def test_an_endpoint_must_be_an_http_url(emulator: EmulatorServer, tmp_path: Path,
                                         url: str) -> None:
    with pytest.raises(SettingsError, match="https:// URL"):
        settings_for(emulator, tmp_path, transfer_endpoints={"qontak-crm": url})


def test_endpoints_from_the_environment() -> None:
    env = {"MAILGUARD_TRANSFER_ENDPOINTS": "qontak-crm=https://crm.example.com/in, "
                                           "other=https://x.example.com/"}
    assert transfer_endpoints_from_env(env) == {"qontak-crm": "https://crm.example.com/in",
                                                "other": "https://x.example.com/"}
    assert transfer_endpoints_from_env({}) == {}
    with pytest.raises(SettingsError, match="id=url pairs"):
        transfer_endpoints_from_env({"MAILGUARD_TRANSFER_ENDPOINTS": "qontak-crm"})


def test_aggregates_reject_a_reversed_range(emulator: EmulatorServer, tmp_path: Path) -> None:
    with Guard.open(settings_for(emulator, tmp_path)) as guard:
        with pytest.raises(ValueError, match="since < until"):
            guard.aggregates.activity_by_day(OPS, since=date(2025, 3, 2),
                                             until=date(2025, 3, 1))


def test_a_refused_schema_releases_the_database_pool(emulator: EmulatorServer, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import guard.service as service
    from guard.db import SchemaOutOfDate

    real_open_engine = service.open_engine
    disposed: list[bool] = []

    def open_engine(url: str) -> Any:
        engine = real_open_engine(url)
        monkeypatch.setattr(engine, "dispose", lambda *a, **k: disposed.append(True))
        return engine

    def out_of_date(_engine: object) -> None:
        raise SchemaOutOfDate("the database needs `mailguard db upgrade`")

    monkeypatch.setattr(service, "open_engine", open_engine)
    monkeypatch.setattr(service, "create_schema", out_of_date)
    with pytest.raises(SchemaOutOfDate):
        Guard.open(settings_for(emulator, tmp_path))
    assert disposed == [True]
