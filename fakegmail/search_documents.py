"""Build what Gmail's ``q`` search looks at in a stored message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from fakegmail.mime import ParsedMessage
from fakegmail.search import SearchDocument
from fakegmail.stored import StoredMessage


def search_document(message: StoredMessage, user_label_names: Mapping[str, str],
                    ) -> SearchDocument:
    """Return what ``q`` searches in ``message``, with its current labels."""
    return parsed_document(message.parsed, message.label_ids, user_label_names,
                           headers=message.search_headers,
                           internal_date=message.internal_date / 1000)


def parsed_document(parsed: ParsedMessage, label_ids: Iterable[str],
                    user_label_names: Mapping[str, str], *,
                    headers: Mapping[str, str] | None = None,
                    internal_date: float) -> SearchDocument:
    """Return what ``q`` searches in a message not stored yet (one arriving), as it would
    be stored with ``label_ids`` at ``internal_date`` (seconds)."""
    label_ids = tuple(label_ids)
    tokens = {label.lower() for label in label_ids}
    tokens.update(user_label_names[x] for x in label_ids if x in user_label_names)
    return SearchDocument(
        headers=headers if headers is not None else search_headers(parsed),
        body_text=parsed.text,
        labels=frozenset(tokens),
        filenames=parsed.filenames,
        has_attachment=bool(parsed.attachments),
        internal_date=internal_date,
        size=parsed.size_estimate,
    )


def search_headers(parsed: ParsedMessage) -> Mapping[str, str]:
    """Return top-level headers by lower-case name, repeated ones joined with ", "."""
    headers: dict[str, str] = {}
    for name, value in parsed.headers:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return MappingProxyType(headers)
