"""The security review: audit search, entry proofs, integrity, charts, alerts, reports."""

from __future__ import annotations

from webclient.review import views as _views  # noqa: F401 - registers the routes
from webclient.review.blueprint import blueprint

__all__ = ["blueprint"]
