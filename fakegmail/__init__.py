"""A local Gmail API v1 and Google OAuth emulator.

Google's own client libraries (google-api-python-client, google-auth, google-auth-oauthlib)
talk to it unchanged: it serves Gmail's paths (``/gmail/v1/users/...``,
``/batch/gmail/v1``, ``/upload/gmail/v1/...``) and Google's OAuth endpoints, and keeps its
own control API under ``/_emulator/``.

Nothing in the product (``guard``, ``audit``, ``webclient``) imports this package; only the
command-line wiring and tests do.
"""
