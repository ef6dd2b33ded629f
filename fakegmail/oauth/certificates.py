"""The public keys Google publishes as X.509 certificates and JSON Web Keys.

- ``/oauth2/v1/certs``: the id_token signing keys as PEM certificates by key id, the form
  google-auth-library for Node.js (``OAuth2Client.verifyIdToken``) and google-auth's
  ``id_token.verify_oauth2_token`` read by default (``/oauth2/v3/certs`` has the JWKS);
- ``/robot/v1/metadata/x509/<client_email>`` and ``/robot/v1/metadata/jwk/<client_email>``:
  a service account's public keys by key id, the addresses a key file names in
  ``client_x509_cert_url``, for checking a JWT the account signed itself.

Only the public key in a certificate matters to these readers. The emulator signs every
certificate with its own id_token key (Google's are self-signed by the key they carry; a
key uploaded as a public key has no private half here to sign with). Certificates are made
once per key and kept, so repeated fetches answer the same bytes, as Google's do between
rotations (the registry keeps them).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Response, jsonify

from fakegmail.oauth.blueprint import blueprint, emulator_state, oauth_registry
from fakegmail.oauth.registry import public_jwk

#: How long readers may keep the keys (Google's answers carry a similar max-age).
CACHE_SECONDS = 3600
#: Issuer of every certificate, as Google's id_token certificates name it.
ISSUER_NAME = "federated-signon.system.gserviceaccount.com"
_VALID_FOR = datetime.timedelta(days=365)


def certificate_pem(public_key: rsa.RSAPublicKey, subject: str, key_id: str) -> str:
    """Return a PEM certificate for ``public_key`` naming ``subject``, made once per key."""
    registry = oauth_registry()
    cache_key = (key_id, public_key.public_numbers().n)
    with registry.lock:
        found = registry.certificates.get(cache_key)
    if found is not None:
        return found
    signer, _kid = registry.signing_key()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_NAME)]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + _VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(signer, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    with registry.lock:
        return registry.certificates.setdefault(cache_key, pem)


def _cacheable(body: dict[str, Any]) -> Response:
    """Answer ``body`` as JSON readers may keep for ``CACHE_SECONDS``."""
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.headers["Expires"] = time.strftime(
        "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + CACHE_SECONDS))
    return response


def _not_found(client_email: str) -> Response:
    """Answer as Google does for an address that is no service account of this emulator."""
    response = jsonify({"error": {"code": 404, "status": "NOT_FOUND",
                                  "message": f"Service account {client_email} not found."}})
    response.status_code = 404
    return response


@blueprint.get("/oauth2/v1/certs")
def id_token_certificates() -> Response:
    """Return the id_token signing keys as PEM certificates, by key id."""
    key, kid = oauth_registry().signing_key()
    return _cacheable({kid: certificate_pem(key.public_key(), ISSUER_NAME, kid)})


@blueprint.get("/robot/v1/metadata/<any(x509, jwk):form>/<path:client_email>")
@blueprint.get("/service_accounts/v1/metadata/<any(x509, jwk):form>/<path:client_email>")
def service_account_keys(form: str, client_email: str) -> Response:
    """Return a service account's public keys by key id: PEM certificates (``x509``) or a
    JSON Web Key Set (``jwk``)."""
    account = emulator_state().service_accounts.get(client_email)
    if account is None:
        return _not_found(client_email)
    keys = sorted(account.keys.items())
    if form == "jwk":
        return _cacheable({"keys": [public_jwk(key, key_id) for key_id, key in keys]})
    return _cacheable({key_id: certificate_pem(key, account.client_email, key_id)
                       for key_id, key in keys})
