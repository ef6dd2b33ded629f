"""Serialise Message and Thread resources straight to JSON bytes, reusing cached parts.

A message's content (snippet, payload, size) never changes once parsed, so its JSON is
rendered once per format and header selection and kept in a bounded cache; each answer
then only adds the parts that do change (ids, labels, historyId, and the attachment ids,
which Gmail issues afresh on every fetch: see ``fakegmail.attachment_ids``). The bytes are exactly
``json.dumps(message_json(...), ensure_ascii=False, separators=(",", ":"))``, or with
``pretty=True`` exactly ``json.dumps(message_json(...), ensure_ascii=False, indent=2)``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from fakegmail.attachment_ids import AttachmentIds, issue_in_json
from fakegmail.json_output import encode_compact, encode_pretty
from fakegmail.mime import ParsedMessage
from fakegmail.resources import MessageFormat, attachment_placeholders, metadata_payload
from fakegmail.stored import StoredMessage, StoredThread

CACHE_SIZE = 8192
"""Rendered (message content, format, header selection) entries kept."""

_encode = encode_compact
_PRETTY_INDENT = "  "


class _ContentCache:
    """A bounded LRU of rendered content keyed by the parsed message's identity.

    Each entry keeps a reference to its ``ParsedMessage``, so the ``id()`` in its key
    cannot be reused by another object while the entry exists.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[int, MessageFormat, tuple[str, ...], bool],
                                   tuple[ParsedMessage, bytes]] = OrderedDict()

    def get(self, parsed: ParsedMessage, fmt: MessageFormat,
            headers: tuple[str, ...], pretty: bool = False) -> bytes:
        key = (id(parsed), fmt, headers, pretty)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is parsed:
                self._entries.move_to_end(key)
                return entry[1]
        rendered = (_render_pretty_content if pretty else _render_content)(parsed, fmt, headers)
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
                       metadata_headers: Sequence[str] = (), *, pretty: bool = False,
                       attachment_ids: AttachmentIds | None = None) -> bytes:
    """Return the Message resource in ``fmt`` as compact (or, ``pretty``, indented) JSON,
    with freshly issued attachment ids when given the mailbox's ``attachment_ids``."""
    if fmt is MessageFormat.RAW:
        from fakegmail.resources import message_json

        encode = encode_pretty if pretty else _encode
        return encode(message_json(message, fmt, metadata_headers)).encode()
    headers = tuple(metadata_headers) if fmt is MessageFormat.METADATA else ()
    if pretty:
        return _pretty_message(message, fmt, headers, attachment_ids)
    head = '{"id":' + _encode(message.id) + ',"threadId":' + _encode(message.thread_id)
    if message.label_ids:
        head += ',"labelIds":' + _encode(list(message.label_ids))
    tail = (',"historyId":"' + str(message.history_id) + '","internalDate":"'
            + str(message.internal_date) + '"}')
    content = _issued(message, fmt, _content.get(message.parsed, fmt, headers),
                      attachment_ids)
    return b"".join((head.encode(), b",", content, tail.encode()))


def thread_json_bytes(thread: StoredThread, fmt: MessageFormat = MessageFormat.FULL,
                      metadata_headers: Sequence[str] = (), *, pretty: bool = False,
                      attachment_ids: AttachmentIds | None = None) -> bytes:
    """Return the Thread resource with its messages in ``fmt`` as compact (or indented) JSON."""
    if pretty:
        return _pretty_thread(thread, fmt, metadata_headers, attachment_ids)
    head = ('{"id":' + _encode(thread.id) + ',"historyId":"' + str(thread.history_id)
            + '","messages":[').encode()
    messages = b",".join(message_json_bytes(m, fmt, metadata_headers,
                                            attachment_ids=attachment_ids)
                         for m in thread.messages)
    return head + messages + b"]}"


def clear_cache() -> None:
    """Forget every rendered message content (frees memory; answers stay the same)."""
    _content.clear()


def _issued(message: StoredMessage, fmt: MessageFormat, content: bytes,
            attachment_ids: AttachmentIds | None) -> bytes:
    """Return cached ``content`` with this fetch's attachment ids in place of the
    placeholders (the cache keeps the placeholders, so no answer repeats an id)."""
    if attachment_ids is None or fmt is not MessageFormat.FULL:
        return content
    return issue_in_json(content, attachment_placeholders(message.parsed),
                         lambda part_id: attachment_ids.issue(message.id, part_id))


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


def _render_pretty_content(parsed: ParsedMessage, fmt: MessageFormat,
                           headers: tuple[str, ...]) -> bytes:
    """Render the same members indented as members of a top-level object (no braces)."""
    members: dict[str, object] = {"snippet": parsed.snippet}
    if fmt is MessageFormat.FULL:
        members["payload"] = parsed.payload
    elif fmt is MessageFormat.METADATA:
        members["payload"] = metadata_payload(parsed, headers)
    members["sizeEstimate"] = parsed.size_estimate
    return encode_pretty(members)[2:-2].encode()  # drop "{\n" and "\n}"


def _pretty_message(message: StoredMessage, fmt: MessageFormat,
                    headers: tuple[str, ...], attachment_ids: AttachmentIds | None) -> bytes:
    """Return the indented Message resource, its content from the cache."""
    inner = "\n" + _PRETTY_INDENT
    head = ("{" + inner + '"id": ' + _encode(message.id) + "," + inner + '"threadId": '
            + _encode(message.thread_id))
    if message.label_ids:
        item = inner + _PRETTY_INDENT
        labels = item + ("," + item).join(_encode(label) for label in message.label_ids)
        head += "," + inner + '"labelIds": [' + labels + inner + "]"
    tail = ("," + inner + '"historyId": "' + str(message.history_id) + '",' + inner
            + '"internalDate": "' + str(message.internal_date) + '"\n}')
    content = _issued(message, fmt, _content.get(message.parsed, fmt, headers, pretty=True),
                      attachment_ids)
    return b"".join((head.encode(), b",\n", content, tail.encode()))


def _pretty_thread(thread: StoredThread, fmt: MessageFormat, metadata_headers: Sequence[str],
                   attachment_ids: AttachmentIds | None) -> bytes:
    """Return the indented Thread resource; each message is indented two levels deeper."""
    inner = "\n" + _PRETTY_INDENT
    nested = b"\n" + (_PRETTY_INDENT * 2).encode()
    head = ("{" + inner + '"id": ' + _encode(thread.id) + "," + inner + '"historyId": "'
            + str(thread.history_id) + '",' + inner + '"messages": [').encode()
    messages = (b"," + nested).join(
        message_json_bytes(m, fmt, metadata_headers, pretty=True,
                           attachment_ids=attachment_ids).replace(b"\n", nested)
        for m in thread.messages)
    return head + nested + messages + ("\n" + _PRETTY_INDENT + "]\n}").encode()
