"""Build Gmail API service objects. The only module of the product that imports the client.

The service is built from the gmail.v1 discovery document bundled with
google-api-python-client (no network fetch). To aim it at another server (the emulator),
``rootUrl``, ``mtlsRootUrl`` and ``baseUrl`` are all replaced, so batch and media-upload
calls go to the same server as ordinary ones. Credentials live inside the transport
(``guard.transport.GmailTransport``), never on the service.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

from googleapiclient.discovery import Resource, build_from_document

GOOGLE_ROOT_URL = "https://gmail.googleapis.com/"


@functools.cache
def _bundled_document() -> dict[str, Any]:
    """Return the bundled gmail.v1 discovery document, parsed once (never mutate it)."""
    ref = resources.files("googleapiclient.discovery_cache.documents").joinpath("gmail.v1.json")
    document: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return document


def gmail_discovery_document(root_url: str | None = None) -> dict[str, Any]:
    """Return a copy of the gmail.v1 discovery document, aimed at ``root_url`` if given."""
    document = copy.deepcopy(_bundled_document())
    if root_url is not None:
        if not root_url.startswith(("http://", "https://")):
            raise ValueError("root_url must be an http(s) URL such as http://127.0.0.1:8025/")
        if not root_url.endswith("/"):
            root_url += "/"
        document["rootUrl"] = root_url
        document["mtlsRootUrl"] = root_url
        document["baseUrl"] = root_url + document["servicePath"]
    return document


def build_gmail_service(*, root_url: str | None, http: Any) -> Resource:
    """Return a Gmail v1 service that sends every request through ``http``.

    :param root_url: the API root, e.g. the emulator's URL; None means Google's.
    :param http: an object with httplib2's ``request()``, normally a ``GmailTransport``.
    """
    return build_from_document(gmail_discovery_document(root_url), http=http)
