"""Read the Gmail discovery document bundled with google-api-python-client.

The emulator takes its method table (HTTP verb, path, accepted scopes) from the same
document the client library builds its service from, so the two cannot drift apart.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

GMAIL_SCOPE_FULL = "https://mail.google.com/"
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")


@dataclass(frozen=True, slots=True)
class MethodInfo:
    """One method of the Gmail API as the discovery document describes it."""

    id: str
    http_method: str
    path: str
    scopes: frozenset[str]
    response_schema: str | None
    supports_media_upload: bool
    request_schema: str | None = None
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The method's own parameters (path and query) by name, as the document gives them."""


@functools.cache
def gmail_document() -> dict[str, Any]:
    """Return the bundled gmail.v1 discovery document (parsed once, never mutate it)."""
    ref = resources.files("googleapiclient.discovery_cache.documents").joinpath("gmail.v1.json")
    document: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return document


def document_with_root(root_url: str) -> dict[str, Any]:
    """Return a copy of the gmail.v1 document aimed at ``root_url`` (e.g. the emulator).

    Replacing ``rootUrl`` (rather than passing only ``api_endpoint``) keeps batch and
    media-upload calls aimed at the same server.
    """
    if not root_url.endswith("/"):
        root_url += "/"
    doc = copy.deepcopy(gmail_document())
    doc["rootUrl"] = root_url
    doc["mtlsRootUrl"] = root_url
    doc["baseUrl"] = root_url + doc["servicePath"]
    return doc


@functools.cache
def gmail_methods() -> dict[str, MethodInfo]:
    """Return every Gmail method keyed by its discovery id (``gmail.users.messages.get``)."""
    found: dict[str, MethodInfo] = {}

    def walk(resource_map: dict[str, Any]) -> None:
        for resource in resource_map.values():
            for method in resource.get("methods", {}).values():
                found[method["id"]] = MethodInfo(
                    id=method["id"],
                    http_method=method["httpMethod"],
                    path=method.get("flatPath") or method["path"],
                    scopes=frozenset(method.get("scopes", [])),
                    response_schema=(method.get("response") or {}).get("$ref"),
                    supports_media_upload=bool(method.get("supportsMediaUpload")),
                    request_schema=(method.get("request") or {}).get("$ref"),
                    parameters=method.get("parameters", {}),
                )
            walk(resource.get("resources", {}))

    walk(gmail_document()["resources"])
    return found


@functools.cache
def label_palette() -> frozenset[str]:
    """Return the label colours Gmail accepts (``#rrggbb``, lower case).

    The discovery document lists them in the descriptions of ``LabelColor``'s two fields;
    a colour must be allowed for both, as Gmail checks each field against the palette.
    """
    fields = gmail_document()["schemas"]["LabelColor"]["properties"]
    lists = [frozenset(c.lower() for c in _HEX_COLOUR.findall(f.get("description", "")))
             for f in fields.values()]
    return frozenset.intersection(*lists)


@functools.cache
def _path_patterns() -> tuple[tuple[re.Pattern[str], MethodInfo], ...]:
    patterns = []
    for info in gmail_methods().values():
        template = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(info.path))
        prefix = r"(?:upload/|resumable/upload/)?" if info.supports_media_upload else ""
        patterns.append((re.compile(f"^/{prefix}{template}$"), info))
    return tuple(patterns)


def method_at(http_method: str, path: str) -> MethodInfo | None:
    """Return the Gmail method that ``http_method`` on ``path`` calls, or None."""
    for pattern, info in _path_patterns():
        if info.http_method == http_method.upper() and pattern.match(path):
            return info
    return None
