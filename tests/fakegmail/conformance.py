"""Check Gmail answers against the schemas of the bundled gmail.v1 discovery document.

The discovery schemas are turned into JSON Schema with ``additionalProperties: false``, so
an answer fails if it carries a field Gmail does not define, lacks the right JSON type, or
breaks a declared format (int64/uint64 as decimal strings, bytes as base64url, enums).
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from googleapiclient.http import HttpRequest

from fakegmail.discovery import gmail_document, gmail_methods

_FORMAT_PATTERNS = {
    "int64": r"^-?[0-9]+$",
    "uint64": r"^[0-9]+$",
    "byte": r"^[A-Za-z0-9_\-+/]*={0,2}$",
}


def _convert(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"$ref": f"#/$defs/{schema['$ref']}"}
    out: dict[str, Any] = {}
    kind = schema.get("type")
    fmt = schema.get("format")
    if kind == "object":
        out["type"] = "object"
        props = schema.get("properties")
        if props is not None:
            out["properties"] = {k: _convert(v) for k, v in props.items()}
            out["additionalProperties"] = False
        elif "additionalProperties" in schema:
            out["additionalProperties"] = _convert(schema["additionalProperties"])
    elif kind == "array":
        out["type"] = "array"
        out["items"] = _convert(schema["items"])
    elif kind == "string":
        out["type"] = "string"
        if fmt in _FORMAT_PATTERNS:
            out["pattern"] = _FORMAT_PATTERNS[fmt]
        if "enum" in schema:
            out["enum"] = schema["enum"]
    elif kind == "integer":
        out["type"] = "integer"
    elif kind == "number":
        out["type"] = "number"
    elif kind == "boolean":
        out["type"] = "boolean"
    elif kind == "any":
        pass
    return out


@functools.cache
def _validator(schema_id: str) -> jsonschema.protocols.Validator:
    defs = {name: _convert(s) for name, s in gmail_document()["schemas"].items()}
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": defs, "$ref": f"#/$defs/{schema_id}"}
    cls = jsonschema.validators.validator_for(root)
    cls.check_schema(root)
    return cls(root)


def check_schema(schema_id: str, value: Any) -> None:
    """Raise AssertionError naming every place ``value`` breaks discovery schema ``schema_id``."""
    errors = sorted(_validator(schema_id).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        lines = [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:10]]
        raise AssertionError(f"answer does not conform to {schema_id}:\n" + "\n".join(lines))


def execute_checked(request: HttpRequest) -> Any:
    """Execute a googleapiclient request and check its answer against its method's schema."""
    result = request.execute()
    schema_id = gmail_methods()[request.methodId].response_schema
    if schema_id is None:
        assert result in ("", None, {}), f"{request.methodId} should answer with an empty body"
    else:
        check_schema(schema_id, result)
    return result
