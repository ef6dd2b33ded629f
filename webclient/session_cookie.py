"""The mail session cookie, signed as Flask signs it but never compressed.

Flask's session serializer (itsdangerous ``URLSafeTimedSerializer``) deflates the cookie's
payload whenever that makes it shorter. MailGuard's session cookie holds secrets (the CSRF
token, the session id, the OAuth ``state`` and PKCE verifier while signing in) beside a
value a link can choose: the page to come back to after signing in
(``/auth/signin?next=...``). Compressed together, the cookie's length on the wire tells an
observer of the encrypted traffic whether a guessed piece of a secret matched the chosen
value (the CRIME/BREACH family of attacks; pallets/itsdangerous#26). Written uncompressed,
a cookie's length depends only on the lengths of its values.

Cookies written compressed before (their payload starts with ".") are still read, so
nobody is signed out by this.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin


class UncompressedSerializer(URLSafeTimedSerializer):
    """``URLSafeTimedSerializer`` whose payloads are base64 JSON, never deflated."""

    def dump_payload(self, obj: Any) -> bytes:
        # Skip URLSafeSerializerMixin's deflate, keep its base64; loading is unchanged
        # (it inflates only payloads marked with a leading ".").
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


class UncompressedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the same keys and salt, written uncompressed.

    The serializer is built once per app and set of keys (Flask builds one for every
    request); a changed secret key or fallback list builds a new one.
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("mailguard.session_serializer")
        if cached is not None and cached[0] == keys:
            return cached[1]
        signing = super().get_signing_serializer(app)
        if signing is None:
            return None
        made = UncompressedSerializer(signing.secret_keys, salt=signing.salt,
                                      serializer=signing.serializer,
                                      signer_kwargs=signing.signer_kwargs)
        app.extensions["mailguard.session_serializer"] = (keys, made)
        return made
