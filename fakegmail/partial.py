"""Google's ``fields`` partial-response syntax: ``a,b/c,d(e,f)``, ``messages(id,threadId)``.

A selection is checked against the method's response schema in the discovery document,
so an unknown field gets Gmail's 400 rather than a silently empty answer.
"""

from __future__ import annotations

import functools
from typing import Any

from fakegmail.discovery import gmail_document
from fakegmail.errors import GmailError

Selection = dict[str, "Selection | None"]
"""Field name to sub-selection; None selects the whole value."""


@functools.lru_cache(maxsize=512)
def parse_fields(text: str) -> Selection:
    """Parse a ``fields`` value; raise 400 for malformed syntax."""
    selection, rest = _parse_list(text.replace(" ", ""), 0, top=True)
    if rest != len(text.replace(" ", "")):
        raise _bad(text)
    return selection


@functools.lru_cache(maxsize=512)
def checked_fields(text: str, schema_name: str | None) -> Selection:
    """Parse ``text`` and check it against ``schema_name``; cached, so never mutate it."""
    selection = parse_fields(text)
    check_fields(selection, schema_name)
    return selection


def apply_fields(value: Any, selection: Selection | None) -> Any:
    """Return ``value`` reduced to ``selection`` (a new object; ``value`` is not changed)."""
    if selection is None or "*" in selection and len(selection) == 1:
        return value
    if isinstance(value, list):
        return [apply_fields(item, selection) for item in value]
    if isinstance(value, dict):
        if "*" in selection:
            return {k: apply_fields(v, selection.get(k)) for k, v in value.items()}
        return {k: apply_fields(v, selection[k]) for k, v in value.items() if k in selection}
    return value


def check_fields(selection: Selection, schema_name: str | None) -> None:
    """Raise 400 when ``selection`` names a field the response schema does not have."""
    if schema_name is None:
        return
    _check(selection, {"$ref": schema_name}, "")


def _check(selection: Selection, schema: dict[str, Any], prefix: str) -> None:
    schema = _resolve(schema)
    while schema.get("type") == "array":
        schema = _resolve(schema.get("items", {}))
    properties = schema.get("properties")
    for name, sub in selection.items():
        if name == "*":
            continue
        if properties is not None and name in properties:
            child = properties[name]
        elif "additionalProperties" in schema:
            child = schema["additionalProperties"]
        else:
            raise invalid_selection(f"Invalid field selection {prefix}{name}")
        if sub is not None:
            _check(sub, child, f"{prefix}{name}/")


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = gmail_document()["schemas"].get(ref, {})
    return found


def _parse_list(text: str, pos: int, *, top: bool) -> tuple[Selection, int]:
    selection: Selection = {}
    while True:
        pos = _parse_item(text, pos, selection)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if top and pos < len(text):
            raise _bad(text)
        return selection, pos


def _parse_item(text: str, pos: int, into: Selection) -> int:
    names: list[str] = []
    while True:
        start = pos
        while pos < len(text) and text[pos] not in ",/()":
            pos += 1
        if pos == start:
            raise _bad(text)
        names.append(text[start:pos])
        if pos < len(text) and text[pos] == "/":
            pos += 1
            continue
        break
    sub: Selection | None = None
    if pos < len(text) and text[pos] == "(":
        sub, pos = _parse_list(text, pos + 1, top=False)
        if pos >= len(text) or text[pos] != ")":
            raise _bad(text)
        pos += 1
    node = into
    for name in names[:-1]:
        child = node.get(name, {}) if name in node else {}
        if child is None:
            return pos  # already selects everything below
        node[name] = child
        node = child
    _merge(node, names[-1], sub)
    return pos


def _merge(node: Selection, name: str, sub: Selection | None) -> None:
    if name not in node:
        node[name] = sub
        return
    current = node[name]
    if current is None or sub is None:
        node[name] = None
        return
    for key, value in sub.items():
        _merge(current, key, value)


def invalid_selection(message: str) -> GmailError:
    """Return Google's 400 for a ``fields`` value: the parameter's own ``invalidParameter``."""
    return GmailError(400, message, reason="invalidParameter",
                      detail={"location": "fields", "locationType": "parameter"})


def _bad(text: str) -> GmailError:
    return invalid_selection(f"Invalid field selection: cannot parse '{text}'; use Google's "
                             "syntax, e.g. messages(id,threadId),nextPageToken")
