"""A thread-safe HTTP transport for the Gmail client library, on one pooled requests session.

google-api-python-client's default transport (httplib2) must not be shared between
threads. ``GmailTransport`` has httplib2's ``request()`` signature and answer shape, so the
client library uses it unchanged, while many threads share one connection pool.

It carries ``google.auth`` credentials itself: it adds the bearer header, refreshes the
token when it has expired or when Gmail answers 401 (then retries once), and refreshes
under a lock so that concurrent threads refresh once. Connection failures surface as
``GmailUnavailable`` (a ``ConnectionError``) and timeouts as ``GmailTimeout`` (a
``TimeoutError``), which the client library's retry logic retries.

Security: tokens, URLs and bodies never appear in log lines or error messages.
"""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any

import google.auth.credentials
import google.auth.exceptions
import google.auth.transport
import google.auth.transport.requests
import requests
import requests.adapters

from guard.errors import GmailAuthError, GmailError, GmailTimeout, GmailUnavailable

#: Status codes after which the token is refreshed and the request retried once.
REFRESH_STATUS_CODES = frozenset({401})

#: Default limits (seconds) to connect to the Gmail API and to wait for its answer.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0


#: Variables naming a CA bundle, in the order requests reads them (REQUESTS_CA_BUNDLE, then
#: CURL_CA_BUNDLE), then SSL_CERT_FILE, which a deployment may set for OpenSSL.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def _reads_environment() -> bool:
    """Return True when the session must keep reading the environment on each call.

    A requests session with ``trust_env`` re-reads the proxy variables, and looks for
    ~/.netrc, on every request (about half a millisecond of CPU a Gmail call). That only
    matters when a proxy is configured (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY, any
    case; as ``urllib.request.getproxies`` finds them), so a session made without one
    stops reading it; its CA bundle is read once instead (``configured_ca_bundle``). Not
    reading ~/.netrc loses nothing: Gmail credentials come from the vault. The
    environment is read when the session is made; a deployment sets its proxy and CA
    bundle before starting the process.
    """
    return bool(urllib.request.getproxies())


def configured_ca_bundle() -> str | bool:
    """Return the CA bundle the environment names (first of CA_BUNDLE_VARIABLES), or True.

    True means requests' own bundle. A session that reads the environment on each call
    finds REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE itself; one that does not is given this.
    """
    for name in CA_BUNDLE_VARIABLES:
        value = os.environ.get(name)
        if value:
            return value
    return True


class TransportResponse(dict[str, str]):
    """An ``httplib2.Response`` lookalike: lower-case headers plus ``status`` and ``reason``.

    As with httplib2, the status is also readable as the ``"status"`` key (a string).
    """

    def __init__(self, status: int, reason: str, headers: Mapping[str, str]) -> None:
        super().__init__((name.lower(), value) for name, value in headers.items())
        self.status = status
        self.reason = reason
        self.version = 11
        self.previous: TransportResponse | None = None
        self["status"] = str(status)


class PooledSession(requests.Session):
    """A requests session that also carries the Gmail API's time limits.

    Transports built on it without limits of their own use ``gmail_timeout``
    (connect, read), so a deployment sets the limits once, where the session is made.
    """

    def __init__(self, *, connect_timeout: float = CONNECT_TIMEOUT,
                 read_timeout: float = READ_TIMEOUT) -> None:
        super().__init__()
        self.gmail_timeout = (connect_timeout, read_timeout)


def pooled_session(pool_size: int = 16, *, connect_timeout: float = CONNECT_TIMEOUT,
                   read_timeout: float = READ_TIMEOUT) -> requests.Session:
    """Return a requests session whose pool keeps ``pool_size`` connections per host.

    Threads beyond ``pool_size`` wait for a free connection instead of opening throwaway
    ones. The session does no retries of its own; the client library retries. Gmail
    transports on it wait at most ``connect_timeout`` and ``read_timeout`` seconds.
    Without proxy variables in the environment the session does not read the environment
    on each request (``trust_env`` off; see ``_reads_environment``) and verifies servers
    with the CA bundle the environment named when it was made.
    """
    session = PooledSession(connect_timeout=connect_timeout, read_timeout=read_timeout)
    session.trust_env = _reads_environment()
    if not session.trust_env:
        session.verify = configured_ca_bundle()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size,
                                            pool_block=True, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class _RefreshRequest(google.auth.transport.Request):
    """google.auth's requests adapter with our timeout on token refreshes."""

    def __init__(self, session: requests.Session, timeout: float) -> None:
        self._inner = google.auth.transport.requests.Request(session=session)
        self._timeout = timeout

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Mapping[str, str] | None = None, timeout: float | None = None,
                 **kwargs: Any) -> google.auth.transport.Response:
        response: google.auth.transport.Response = self._inner(
            url, method=method, body=body, headers=headers, timeout=timeout or self._timeout,
            **kwargs)
        return response


class GmailTransport:
    """Send the client library's requests through one shared, pooled session.

    :param credentials: google.auth credentials for one mailbox, or None to send
        requests without authorization.
    :param session: a session to share between transports (e.g. one per process, many
        mailboxes); by default a new pooled session of ``pool_size`` connections.
    :param connect_timeout: seconds to connect; by default the session's limit (see
        ``PooledSession``), else ``CONNECT_TIMEOUT``. ``read_timeout`` likewise.
    """

    def __init__(
        self,
        credentials: google.auth.credentials.Credentials | None,
        *,
        session: requests.Session | None = None,
        pool_size: int = 16,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        refresh_timeout: float = 30.0,
    ) -> None:
        self._credentials = credentials
        self._owns_session = session is None
        self._session = session if session is not None else pooled_session(pool_size)
        connect, read = (self._session.gmail_timeout if isinstance(self._session, PooledSession)
                         else (CONNECT_TIMEOUT, READ_TIMEOUT))
        self._timeout = (connect if connect_timeout is None else connect_timeout,
                         read if read_timeout is None else read_timeout)
        self._refresh_request = _RefreshRequest(self._session, refresh_timeout)
        self._refresh_lock = threading.Lock()
        self._batch_credentials = _BatchCredentials(self) if credentials is not None else None
        self.refresh_count = 0

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[TransportResponse, bytes]:
        """Send one request and return ``(response, content)`` as httplib2 does.

        Redirects are not followed (Gmail sends none; resumable uploads answer 308, which
        the client library must see). ``redirections`` and ``connection_type`` are
        accepted for signature compatibility.
        """
        send_headers = dict(headers or {})
        token = self._authorize(send_headers)
        response = self._send(method, uri, body, send_headers)
        if (response.status_code in REFRESH_STATUS_CODES and token is not None
                and not hasattr(body, "read")):
            token = self._authorize(send_headers, stale=token)
            response.close()
            response = self._send(method, uri, body, send_headers)
        return self._convert(response)

    @property
    def credentials(self) -> _BatchCredentials | None:
        """Return the view of the credentials that the client library's batch code uses.

        Batch requests put a bearer header on each inner request and refresh after inner
        401s through ``http.credentials``; this view routes both through this transport's
        locked refresh instead of a private httplib2 connection.
        """
        return self._batch_credentials

    def close(self) -> None:
        """Close the pooled connections if this transport created the session."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> GmailTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _authorize(self, headers: dict[str, str], stale: str | None = None) -> str | None:
        """Put a valid bearer token into ``headers``; return the token used."""
        credentials = self._credentials
        if credentials is None:
            return None
        token = self._valid_token(stale)
        for name in [n for n in headers if n.lower() == "authorization"]:
            del headers[name]
        credentials.apply(headers, token=token)
        return token

    def _valid_token(self, stale: str | None) -> str:
        """Return a token that is unexpired and is not ``stale``, refreshing at most once."""
        credentials = self._credentials
        assert credentials is not None
        token = credentials.token
        if stale is None and token and credentials.valid:
            return str(token)
        with self._refresh_lock:
            token = credentials.token
            if not token or not credentials.valid or token == stale:
                self._refresh()
                token = credentials.token
            if not token:
                raise GmailAuthError("the credentials produced no access token; "
                                     "ask the user to reconnect their Google account")
            return str(token)

    def _refresh(self) -> None:
        credentials = self._credentials
        assert credentials is not None
        problem: GmailError
        try:
            credentials.refresh(self._refresh_request)
        except google.auth.exceptions.RefreshError as error:
            if getattr(error, "retryable", False):
                problem = GmailUnavailable("the Google token endpoint failed temporarily; "
                                           "retry later")
            else:
                problem = GmailAuthError("Google refused to refresh the Gmail credentials; "
                                         "ask the user to reconnect their Google account")
        except google.auth.exceptions.TransportError:
            problem = GmailUnavailable("the Google token endpoint could not be reached; check "
                                       "the network and retry")
        else:
            self.refresh_count += 1
            return
        # Raised outside the handler, so the library's error (the token endpoint's answer,
        # the URL) is no part of this one's chain, which a traceback would print.
        raise problem

    def _send(self, method: str, uri: str, body: Any,
              headers: dict[str, str]) -> requests.Response:
        problem: GmailError
        try:
            return self._session.request(method, uri, data=body, headers=headers,
                                         timeout=self._timeout, allow_redirects=False)
        except requests.exceptions.Timeout:
            connect, read = self._timeout
            problem = GmailTimeout(f"the Gmail API did not answer in time (connect limit "
                                   f"{connect:g}s, read limit {read:g}s); retry later")
        except (requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError):
            problem = GmailUnavailable("the Gmail API could not be reached or dropped the "
                                       "connection; check the network and retry")
        except requests.exceptions.RequestException as error:
            problem = GmailError(f"the request to the Gmail API could not be sent "
                                 f"({type(error).__name__}); check the API root URL")
        # Raised outside the handler: the requests error's text holds the request's URL
        # (a search's words and addresses, message ids), and a traceback prints a chain.
        raise problem

    @staticmethod
    def _convert(response: requests.Response) -> tuple[TransportResponse, bytes]:
        content = response.content
        headers = dict(response.headers)
        result = TransportResponse(response.status_code, response.reason or "", headers)
        if "content-encoding" in result and response.raw is not None and \
                getattr(response.raw, "decode_content", True):
            # Like httplib2: the body is already decoded, so say so and fix the length.
            result["-content-encoding"] = result.pop("content-encoding")
            result["content-length"] = str(len(content))
        return result, content


class _BatchCredentials:
    """oauth2client-style credentials (what googleapiclient's batch code expects) over a
    ``GmailTransport``: tokens come from, and refreshes go through, the transport."""

    def __init__(self, transport: GmailTransport) -> None:
        self._transport = transport

    @property
    def access_token(self) -> str | None:
        credentials = self._transport._credentials
        return credentials.token if credentials is not None else None

    @property
    def access_token_expired(self) -> bool:
        credentials = self._transport._credentials
        return credentials is None or not credentials.valid

    def refresh(self, _http: object) -> None:
        """Refresh through the transport (the library's own http object is not used)."""
        self._transport._valid_token(stale=self.access_token)

    def apply(self, headers: dict[str, str]) -> None:
        """Put the bearer header into ``headers``."""
        self._transport._authorize(headers)
