"""Bind a call's query parameters and JSON body to its method, as Google's front end does.

Google's front end maps every query parameter, and every name in a JSON body, onto a field
of the method's request message before Gmail sees the call. A name it cannot map is
refused with 400 INVALID_ARGUMENT that names it; it is never ignored. Both a field's JSON
name (``maxResults``) and its proto name (``max_results``) bind. A query value that does
not parse as the field's type (``maxResults=-1``) is refused the same way, naming the
field by its proto name and type. Google's standard parameters (``fields``, ``alt``,
``prettyPrint``, ``key``, ...) belong to the front end and bind on every method.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from flask import request
from werkzeug.datastructures import ImmutableMultiDict

from fakegmail.discovery import gmail_document, gmail_methods
from fakegmail.errors import GmailError

#: Standard parameters older than the discovery document's list, still honoured by Google.
_LEGACY_STANDARD_PARAMETERS = frozenset({"userIp"})
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_UNSIGNED = re.compile(r"^[0-9]+$")
_SIGNED = re.compile(r"^-?[0-9]+$")
_BOOLEANS = frozenset({"true", "false", "1", "0"})
_INTEGER_TYPES = {"uint32": ("TYPE_UINT32", 2**32 - 1), "uint64": ("TYPE_UINT64", 2**64 - 1)}


@functools.cache
def standard_parameters() -> frozenset[str]:
    """Return the query parameters every Google API method accepts."""
    return frozenset(gmail_document()["parameters"]) | _LEGACY_STANDARD_PARAMETERS


def proto_name(json_name: str) -> str:
    """Return the proto field name of a JSON field name (``maxResults`` -> ``max_results``)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", json_name).lower()


def json_name(name: str) -> str:
    """Return the JSON name of a proto field name (``max_results`` -> ``maxResults``)."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def invalid_payload(messages: list[str], fields: list[str | None]) -> GmailError:
    """Return the front end's 400 for request data it could not bind."""
    text = "\n".join(messages)
    violations = []
    for message, field in zip(messages, fields, strict=True):
        violations.append({"field": field, "description": message} if field
                          else {"description": message})
    return GmailError(400, text, reason="invalid", domain=None,
                      details=[{"@type": _BAD_REQUEST, "fieldViolations": violations}])


def bind_query(method_id: str) -> None:
    """Check the request's query parameters against ``method_id``; 400 for any it cannot bind.

    A parameter given by its proto name is renamed to its JSON name in ``request.args``, so
    views read one spelling.
    """
    parameters = gmail_methods()[method_id].parameters
    renamed = False
    pairs: list[tuple[str, str]] = []
    for name, value in request.args.items(multi=True):
        if name not in parameters and name not in standard_parameters():
            bound = json_name(name)
            if bound == name or bound not in parameters:
                raise invalid_payload([
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message."],
                    [None])
            renamed, name = True, bound
        if name in parameters:
            _check_value(name, value, parameters[name])
        pairs.append((name, value))
    if renamed:
        request.args = ImmutableMultiDict(pairs)


def _check_value(name: str, value: str, schema: Mapping[str, Any]) -> None:
    if value == "":
        return
    kind = schema.get("type")
    if kind == "boolean":
        valid, type_name = value.lower() in _BOOLEANS, "TYPE_BOOL"
    elif schema.get("format") in _INTEGER_TYPES:
        type_name, limit = _INTEGER_TYPES[schema["format"]]
        valid = bool(_UNSIGNED.match(value)) and int(value) <= limit
    else:
        return
    if not valid:
        field = proto_name(name)
        raise invalid_payload([f'Invalid value at \'{field}\' ({type_name}), "{value}"'],
                              [field])


def bind_body(method_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Return ``body`` with proto names renamed to JSON names; 400 naming every unknown name
    and every value its field cannot hold.

    The path in the message is where the body sits in the request message: the resource's
    own field (``message``, ``label``, ``draft``) or nothing for a request that is the body
    itself (``ModifyMessageRequest``).
    """
    schema = gmail_methods()[method_id].request_schema
    if schema is None:
        return body
    path = "" if schema.endswith("Request") else proto_name(schema)
    problems: list[tuple[str, str | None]] = []
    bound = _bind_object(body, schema, path, problems)
    if problems:
        raise invalid_payload([text for text, _ in problems], [f for _, f in problems])
    return bound


#: JSON types a scalar field accepts, and the proto type Google names when it gets another.
_SCALARS: dict[tuple[str, str | None], tuple[tuple[type, ...], str]] = {
    ("string", None): ((str,), "TYPE_STRING"),
    ("string", "byte"): ((str,), "TYPE_BYTES"),
    ("string", "int64"): ((str, int), "TYPE_INT64"),
    ("string", "uint64"): ((str, int), "TYPE_UINT64"),
    ("boolean", None): ((bool,), "TYPE_BOOL"),
    ("integer", "int32"): ((int, str), "TYPE_INT32"),
    ("integer", "uint32"): ((int, str), "TYPE_UINT32"),
}


def _bind_object(value: dict[str, Any], schema_id: str, path: str,
                 problems: list[tuple[str, str | None]]) -> dict[str, Any]:
    properties: Mapping[str, Any] | None = gmail_document()["schemas"][schema_id].get(
        "properties")
    if properties is None:
        return value
    at = f" at '{path}'" if path else ""
    bound: dict[str, Any] = {}
    for name, item in value.items():
        field = name if name in properties else json_name(name)
        if field not in properties:
            problems.append((f'Invalid JSON payload received. Unknown name "{name}"{at}: '
                             "Cannot find field.", path or None))
            continue
        schema = properties[field]
        if isinstance(item, list) and schema.get("type") != "array":
            problems.append((f'Invalid JSON payload received. Unknown name "{name}"{at}: '
                             "Proto field is not repeating, cannot start list.",
                             path or None))
            continue
        inner = f"{path}.{proto_name(field)}" if path else proto_name(field)
        bound[field] = _bind_value(item, schema, inner, problems)
    return bound


def _bind_value(item: Any, schema: Mapping[str, Any], path: str,
                problems: list[tuple[str, str | None]]) -> Any:
    if "$ref" in schema and isinstance(item, dict):
        return _bind_object(item, schema["$ref"], path, problems)
    if schema.get("type") == "array" and isinstance(item, list):
        return [_bind_value(element, schema["items"], f"{path}[{index}]", problems)
                for index, element in enumerate(item)]
    scalar = _SCALARS.get((schema.get("type", ""), schema.get("format")))
    if scalar is not None and item is not None and not _holds(scalar[0], item):
        problems.append((f"Invalid value at '{path}' ({scalar[1]}), {json.dumps(item)}",
                         path))
    return item


def _holds(accepted: tuple[type, ...], item: Any) -> bool:
    if isinstance(item, bool):  # a JSON true is no number
        return bool in accepted
    if isinstance(item, int) and int in accepted:
        return True
    if isinstance(item, str) and str in accepted:  # 64-bit numbers travel as strings
        return int not in accepted or _SIGNED.match(item) is not None
    return False


def check_enum(schema_id: str, field: str, value: Any, path: str) -> None:
    """Raise the front end's 400 when ``value`` is not one of the enum values the discovery
    document lists for ``schema_id``'s ``field`` (``path`` names it in the message).

    ``bind_body`` leaves enums to the views, which know whether a field's
    ``...Unspecified`` value is acceptable where it appears.
    """
    allowed = gmail_document()["schemas"][schema_id]["properties"][field].get("enum", ())
    if value not in allowed:
        raise invalid_payload([f"Invalid value at '{path}' (TYPE_ENUM), {json.dumps(value)}"],
                              [path])
