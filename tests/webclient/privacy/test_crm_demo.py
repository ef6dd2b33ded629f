"""The demo CRM keeps what MailGuard sends it and shows it, escaped."""

from __future__ import annotations

import requests

from mailguard.crm_demo import CrmDemoServer


def transfer(**changes):
    body = {"transfer_id": "t1", "recipient": "qontak-crm", "basis": "feature",
            "mailbox": "rina@example.test", "data_classes": ["metadata"],
            "data": {"target": {"kind": "deal", "name": "Renewal"},
                     "metadata": {"messages": [{"id": "m1", "from": "a@example.org",
                                                "subject": "<script>alert(1)</script>"}]}}}
    body.update(changes)
    return body


def test_it_keeps_and_lists_a_transfer(crm: CrmDemoServer):
    answer = requests.post(crm.transfer_url, json=transfer(), timeout=5)
    assert answer.status_code == 201 and answer.json() == {"received": "t1"}
    [record] = requests.get(crm.url + "records", timeout=5).json()["records"]
    assert record["data_classes"] == ["metadata"] and record["mailbox"] == "rina@example.test"
    page = requests.get(crm.url, timeout=5).text
    assert "deal: Renewal" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_it_refuses_what_is_not_a_transfer(crm: CrmDemoServer):
    assert requests.post(crm.transfer_url, data=b"hello", timeout=5).status_code == 400
    missing = transfer()
    del missing["data_classes"]
    assert requests.post(crm.transfer_url, json=missing, timeout=5).status_code == 400
    assert requests.post(crm.transfer_url, json=transfer(data=[1]), timeout=5).status_code == 400
    assert crm.records.all() == ()
