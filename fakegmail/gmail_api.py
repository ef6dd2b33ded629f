"""The Gmail REST API v1 blueprint: every emulated method at Google's paths."""

from __future__ import annotations

from flask import Blueprint

from fakegmail import (
    gmail_account,
    gmail_drafts,
    gmail_filters,
    gmail_forwarding,
    gmail_labels,
    gmail_messages,
    gmail_send_as,
    gmail_settings,
    gmail_threads,
    gmail_watch,
    upload_routes,
)

blueprint = Blueprint("gmail_api", __name__)
for _module in (gmail_messages, gmail_threads, gmail_labels, gmail_drafts, gmail_account,
                gmail_watch, gmail_settings, gmail_filters, gmail_forwarding, gmail_send_as,
                upload_routes):
    _module.routes.register(blueprint)
