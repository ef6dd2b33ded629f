"""Read Gmail API request arguments and write JSON answers (with ``fields`` applied)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, request
from werkzeug.datastructures import MultiDict

from fakegmail.binding import bind_body
from fakegmail.discovery import gmail_methods
from fakegmail.errors import GmailError, invalid_argument
from fakegmail.json_output import encode_answer, pretty_print_wanted
from fakegmail.partial import apply_fields, checked_fields
from fakegmail.resources import MessageFormat
from fakegmail.uploads import parse_json_object

JSON_TYPE = "application/json; charset=UTF-8"
METADATA_SCOPES = frozenset({
    "https://www.googleapis.com/auth/gmail.metadata",
    "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
})


@dataclass(slots=True)
class Routes:
    """A module's URL rules, added to the Gmail blueprint by :meth:`register`."""

    rules: list[tuple[str, Callable[..., Any], tuple[str, ...]]] = field(default_factory=list)

    def route(self, *paths: str, methods: Collection[str]) -> Callable[[Any], Any]:
        """Register the decorated view under every path in ``paths``."""
        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            for path in paths:
                self.rules.append((path, view, tuple(methods)))
            return view
        return decorate

    def register(self, blueprint: Blueprint) -> None:
        """Add every rule to ``blueprint``."""
        for path, view, methods in self.rules:
            endpoint = f"{view.__module__.rsplit('.', 1)[-1]}_{view.__name__}"
            blueprint.add_url_rule(path, endpoint=endpoint, view_func=view,
                                   methods=list(methods))


def answer(value: Any, status: int = 200, *, method_id: str | None = None) -> Response:
    """Return ``value`` as JSON, reduced to the request's ``fields`` selection.

    Indented unless the request says ``prettyPrint=false``, as Google answers.
    """
    selection_text = request.args.get("fields")
    if selection_text:
        method = gmail_methods().get(method_id or g.get("method_id", ""))
        selection = checked_fields(selection_text, method.response_schema if method else None)
        value = apply_fields(value, selection)
    return Response(encode_answer(value), status=status, content_type=JSON_TYPE)


def answer_rendered(build: Callable[[], Any], render: Callable[[bool], bytes]) -> Response:
    """Answer 200 with ``render(pretty)``'s JSON bytes; with ``fields``, reduce ``build()``.

    ``render`` must give exactly the JSON of ``build()`` (indented when its argument is
    True); it exists to skip building and encoding the dictionary on the common path (no
    ``fields``).
    """
    if request.args.get("fields"):
        return answer(build())
    return Response(render(pretty_print_wanted()), status=200, content_type=JSON_TYPE)


def no_content() -> Response:
    """Return Gmail's empty 204 answer (delete, batchModify, ...)."""
    return Response(status=204)


def json_body() -> dict[str, Any]:
    """Return the request's JSON object body (``{}`` when empty), bound to the method's
    request schema; 400 when malformed or when it names a field the schema lacks."""
    body = parse_json_object(request.get_data(cache=True))
    method_id = g.get("method_id")
    return bind_body(method_id, body) if method_id else body


def bool_arg(args: MultiDict[str, str], name: str, default: bool = False) -> bool:
    """Return a boolean query argument; 400 for anything but true/false."""
    value = args.get(name)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered not in ("true", "false", "1", "0"):
        raise invalid_argument(f"Invalid value for {name}: use true or false")
    return lowered in ("true", "1")


def format_arg(args: MultiDict[str, str], allowed: Collection[MessageFormat] = tuple(MessageFormat),
               ) -> MessageFormat:
    """Return the ``format`` argument (default full); 400 for a value not in ``allowed``."""
    value = (args.get("format") or "full").lower()
    for fmt in allowed:
        if fmt.value == value:
            return fmt
    names = ", ".join(f.value for f in allowed)
    raise invalid_argument(f"Invalid value for format: use one of {names}")


def metadata_only() -> bool:
    """Return True when the token reaches this method only through the metadata scope."""
    grant = g.get("grant")
    method = gmail_methods().get(g.get("method_id", ""))
    if grant is None or method is None:
        return False
    usable = grant.scopes & method.scopes
    return bool(usable) and usable <= METADATA_SCOPES


def refuse_metadata_format(fmt: MessageFormat) -> None:
    """Raise Gmail's 403 when a metadata-only token asks for message content."""
    if fmt in (MessageFormat.FULL, MessageFormat.RAW) and metadata_only():
        raise GmailError(403, f"Metadata scope doesn't allow format {fmt.value.upper()}",
                         reason="forbidden")


def refuse_metadata_query(query: str | None) -> None:
    """Raise Gmail's 403 when a metadata-only token searches with ``q``."""
    if query and metadata_only():
        raise GmailError(403, "Metadata scope does not support 'q' parameter",
                         reason="forbidden")
