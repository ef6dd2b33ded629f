"""``mailguard demo`` starts the demo CRM and sends "Log to Qontak CRM" there."""

from __future__ import annotations

import html
import re

import requests

from fakegmail.seed import DEMO_ACCOUNTS
from mailguard.demo import build_demo


def test_the_demo_logs_a_conversation_to_its_own_crm(tmp_path):
    demo = build_demo(tmp_path / "instance", port=0, messages=5).start()
    try:
        session = requests.Session()
        start = session.get(demo.url + "auth/start", allow_redirects=False, timeout=10)
        consent_page = requests.get(start.headers["Location"], timeout=10).text
        request_id = re.search(r'name="request_id" value="([^"]+)"', consent_page).group(1)
        back = requests.post(demo.emulator.url + "signin/oauth/consent",
                             data={"request_id": html.unescape(request_id),
                                   "account": DEMO_ACCOUNTS[0][0], "action": "allow"},
                             allow_redirects=False, timeout=10)
        session.get(back.headers["Location"], timeout=10)
        inbox = session.get(demo.url + "u/0/f/inbox", timeout=10).text
        thread_id = re.search(r'href="/u/0/t/([0-9a-f]+)', inbox).group(1)
        page = session.get(demo.url + f"u/0/privacy/crm/{thread_id}", timeout=10).text
        fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
                                 page))
        answer = session.post(demo.url + f"u/0/privacy/crm/{thread_id}", data={
            **fields, "data_class": ["metadata", "content"], "agree": "yes",
            "target_kind": "contact", "target_name": "Demo contact"},
            allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        [record] = demo.crm.records.all()
        assert record.mailbox == DEMO_ACCOUNTS[0][0]
        assert record.data_classes == ("content", "metadata")
        shown = requests.get(demo.crm.url, timeout=10).text
        assert "contact: Demo contact" in shown
    finally:
        demo.stop()
