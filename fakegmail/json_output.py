"""Encode Gmail API answers as Google does: indented unless ``prettyPrint=false``.

Google's APIs answer with indentations and line breaks by default (the ``prettyPrint``
standard parameter, default true) and compactly with ``prettyPrint=false``. Both forms are
``json.dumps`` output: two-space indents and ``": "`` after names, or no spaces at all.
"""

from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request

encode_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
encode_pretty = json.JSONEncoder(ensure_ascii=False, indent=2).encode
_FALSE = frozenset({"false", "0"})


def pretty_print_wanted() -> bool:
    """Return False only when the request asks ``prettyPrint=false`` (or ``0``)."""
    if not has_request_context():
        return True
    value = request.args.get("prettyPrint")
    return value is None or value.strip().lower() not in _FALSE


def encode_answer(value: Any) -> bytes:
    """Return ``value`` as UTF-8 JSON in the form the request asks for."""
    encode = encode_pretty if pretty_print_wanted() else encode_compact
    return encode(value).encode()
