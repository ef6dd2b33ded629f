"""Build what Gmail's ``q`` search looks at in a stored message."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from fakegmail.mime import ParsedMessage
from fakegmail.search import SearchDocument
from fakegmail.stored import StoredMessage


def search_document(message: StoredMessage, user_label_names: Mapping[str, str],
                    ) -> SearchDocument:
    """Return what ``q`` searches in ``message``, with its current labels."""
    tokens = {label.lower() for label in message.label_ids}
    tokens.update(user_label_names[x] for x in message.label_ids if x in user_label_names)
    parsed = message.parsed
    return SearchDocument(
        headers=message.search_headers,
        body_text=parsed.text,
        labels=frozenset(tokens),
        filenames=parsed.filenames,
        has_attachment=bool(parsed.attachments),
        internal_date=message.internal_date / 1000,
        size=parsed.size_estimate,
    )


def search_headers(parsed: ParsedMessage) -> Mapping[str, str]:
    """Return top-level headers by lower-case name, repeated ones joined with ", "."""
    headers: dict[str, str] = {}
    for name, value in parsed.headers:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return MappingProxyType(headers)
