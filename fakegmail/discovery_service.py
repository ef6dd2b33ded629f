"""Serve the gmail.v1 discovery document, aimed at this emulator, where Google serves it.

A client built the usual dynamic way finds the emulator from the document alone::

    build("gmail", "v1", credentials=credentials, static_discovery=False,
          discoveryServiceUrl=emulator_url + "discovery/v1/apis/{api}/{apiVersion}/rest")

The document is the one google-api-python-client bundles, with ``rootUrl``, ``baseUrl``
and ``mtlsRootUrl`` set to the address the request came to, so batch and media-upload
calls go to the emulator too. Both of Google's addresses answer: the discovery service's
``/discovery/v1/apis/gmail/v1/rest`` and the API's own ``/$discovery/rest?version=v1``.
Discovery is public at Google, so no token is asked for. Any other API or version is 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from fakegmail.discovery import document_with_root
from fakegmail.errors import not_found
from fakegmail.json_output import encode_answer

blueprint = Blueprint("discovery_service", __name__)


@blueprint.get("/discovery/v1/apis/<api>/<version>/rest")
def discovery_service(api: str, version: str) -> Response:
    """Google's discovery service: the document of ``api`` ``version`` (gmail v1 only)."""
    return _document(api, version)


@blueprint.get("/$discovery/rest")
def api_discovery() -> Response:
    """The API's own discovery address (``?version=v1``)."""
    return _document("gmail", request.args.get("version", "v1"))


def _document(api: str, version: str) -> Response:
    if (api, version) != ("gmail", "v1"):
        raise not_found(f"The emulator serves the discovery document of gmail v1 only, not "
                        f"{api[:100]} {version[:100]}.")
    return Response(encode_answer(document_with_root(request.host_url)), status=200,
                    content_type="application/json; charset=UTF-8")
