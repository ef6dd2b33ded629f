"""The log's keys are read from settings the same way by every program that opens the log."""

from __future__ import annotations

import base64
import re
import secrets

import pytest

from audit.key_settings import (
    DEFAULT_SIGNING_KEY_FILE,
    InvalidKeyText,
    hmac_key_from_text,
    signing_key_file,
)

RAW = bytes(range(32))


@pytest.mark.parametrize("text", [
    RAW.hex(),
    RAW.hex().upper(),
    f"  {RAW.hex()}\n",
    base64.b64encode(RAW).decode(),
    base64.b64encode(RAW).decode().rstrip("="),
    base64.urlsafe_b64encode(RAW).decode().rstrip("="),
])
def test_hex_and_both_base64_alphabets_give_the_same_bytes(text: str) -> None:
    assert hmac_key_from_text(text) == RAW


def test_a_generated_urlsafe_key_decodes_to_its_random_bytes() -> None:
    text = secrets.token_urlsafe(32)
    assert hmac_key_from_text(text) == base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize(("text", "says"), [
    ("not a key!", "must be hex or base64"),
    ("ab" * 15, "at least 16 bytes (it decodes to 15)"),
    ("", "at least 16 bytes (it decodes to 0)"),
])
def test_bad_key_text_is_refused_naming_the_variable_not_the_value(text: str, says: str) -> None:
    with pytest.raises(InvalidKeyText, match=re.escape(says)) as caught:
        hmac_key_from_text(text)
    assert "MAILGUARD_AUDIT_HMAC_KEY" in str(caught.value)
    if text:
        assert text not in str(caught.value)


def test_the_signing_key_file_is_the_servers_setting_then_the_older_name() -> None:
    assert signing_key_file({}) == DEFAULT_SIGNING_KEY_FILE
    assert signing_key_file({"MAILGUARD_AUDIT_SIGNING_KEY_FILE": "/old.pem"}) == "/old.pem"
    assert signing_key_file({"MAILGUARD_AUDIT_SIGNING_KEY": "/k.pem",
                             "MAILGUARD_AUDIT_SIGNING_KEY_FILE": "/old.pem"}) == "/k.pem"
    assert signing_key_file({"MAILGUARD_AUDIT_SIGNING_KEY": " "}) == DEFAULT_SIGNING_KEY_FILE
