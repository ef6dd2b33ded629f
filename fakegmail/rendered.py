"""Serialise Message and Thread resources straight to JSON bytes, reusing cached parts.

A message's content (snippet, payload, size) never changes once parsed, so its JSON is
rendered once per format and header selection and kept in a bounded cache; each answer
then only adds the parts that do change (ids, labels, historyId). The bytes are exactly
``json.dumps(message_json(...), ensure_ascii=False, separators=(",", ":"))``.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence

from fakegmail.mime import ParsedMessage
from fakegmail.resources import MessageFormat, metadata_payload
from fakegmail.stored import StoredMessage, StoredThread

CACHE_SIZE = 8192
"""Rendered (message content, format, header selection) entries kept."""

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _ContentCache:
    """A bounded LRU of rendered content keyed by the parsed message's identity.

    Each entry keeps a reference to its ``ParsedMessage``, so the ``id()`` in its key
    cannot be reused by another object while the entry exists.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[int, MessageFormat, tuple[str, ...]],
                                   tuple[ParsedMessage, bytes]] = OrderedDict()

    def get(self, parsed: ParsedMessage, fmt: MessageFormat,
            headers: tuple[str, ...]) -> bytes:
        key = (id(parsed), fmt, headers)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is parsed:
                self._entries.move_to_end(key)
                return entry[1]
        rendered = _render_content(parsed, fmt, headers)
        with self._lock:
            self._entries[key] = (parsed, rendered)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_content = _ContentCache(CACHE_SIZE)


def message_json_bytes(message: StoredMessage, fmt: MessageFormat = MessageFormat.FULL,
                       metadata_headers: Sequence[str] = ()) -> bytes:
    """Return the Message resource in ``fmt`` as compact UTF-8 JSON."""
    if fmt is MessageFormat.RAW:
        from fakegmail.resources import message_json

        return _encode(message_json(message, fmt, metadata_headers)).encode()
    headers = tuple(metadata_headers) if fmt is MessageFormat.METADATA else ()
    head = '{"id":' + _encode(message.id) + ',"threadId":' + _encode(message.thread_id)
    if message.label_ids:
        head += ',"labelIds":' + _encode(list(message.label_ids))
    tail = (',"historyId":"' + str(message.history_id) + '","internalDate":"'
            + str(message.internal_date) + '"}')
    return b"".join((head.encode(), b",", _content.get(message.parsed, fmt, headers),
                     tail.encode()))


def thread_json_bytes(thread: StoredThread, fmt: MessageFormat = MessageFormat.FULL,
                      metadata_headers: Sequence[str] = ()) -> bytes:
    """Return the Thread resource with its messages in ``fmt`` as compact UTF-8 JSON."""
    head = ('{"id":' + _encode(thread.id) + ',"historyId":"' + str(thread.history_id)
            + '","messages":[').encode()
    messages = b",".join(message_json_bytes(m, fmt, metadata_headers)
                         for m in thread.messages)
    return head + messages + b"]}"


def clear_cache() -> None:
    """Forget every rendered message content (frees memory; answers stay the same)."""
    _content.clear()


def _render_content(parsed: ParsedMessage, fmt: MessageFormat,
                    headers: tuple[str, ...]) -> bytes:
    """Render ``"snippet":…[,"payload":…],"sizeEstimate":…`` (no braces)."""
    text = '"snippet":' + _encode(parsed.snippet)
    if fmt is MessageFormat.FULL:
        text += ',"payload":' + _encode(parsed.payload)
    elif fmt is MessageFormat.METADATA:
        text += ',"payload":' + _encode(metadata_payload(parsed, headers))
    text += ',"sizeEstimate":' + _encode(parsed.size_estimate)
    return text.encode()
