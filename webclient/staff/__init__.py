"""The staff console: Qontak staff sign in, request and approve access, view granted mail."""

from __future__ import annotations

from webclient.staff import (  # noqa: F401  (registers their routes)
    access_views,
    aggregate_views,
    labels,
    signin_views,
    viewing_views,
)
from webclient.staff.blueprint import blueprint

__all__ = ["blueprint"]
