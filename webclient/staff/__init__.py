"""The staff console: Qontak staff sign in, request and approve access, view granted mail."""

from __future__ import annotations

from webclient.staff.blueprint import blueprint

__all__ = ["blueprint"]
