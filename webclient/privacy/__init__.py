"""The mailbox owner's privacy centre: consents, transfers and the access history."""

from __future__ import annotations

from webclient.privacy.views import blueprint

__all__ = ["blueprint"]
