"""Loopback HTTP and HTTPS servers that answer with images and record every request."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import struct
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _png_1x1() -> bytes:
    """Return a valid one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x80\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b""
    )


PNG = _png_1x1()
# Served for anything that is not an image: if a browser ever ran or applied it, the
# page's detector would see the dialog or the extra request.
HOSTILE_SCRIPT = b"alert('remote-script');"
HOSTILE_CSS = b"body{background:url(/stylesheet-loaded.png)}"


@dataclass
class RecordingServer:
    """A threaded loopback server with fixed pages, PNGs under /img/ and /mail/cid/."""

    scheme: str
    pages: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        """Return scheme://127.0.0.1:port."""
        assert self._httpd is not None
        return f"{self.scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self, *, tls: ssl.SSLContext | None = None) -> None:
        """Listen on an ephemeral loopback port in a daemon thread."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802
                with server._lock:
                    server.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                if path in server.pages:
                    body, kind = server.pages[path], "text/html; charset=utf-8"
                elif path.endswith(".js"):
                    body, kind = HOSTILE_SCRIPT, "text/javascript"
                elif path.endswith(".css"):
                    body, kind = HOSTILE_CSS, "text/css"
                elif "/img/" in path or path.startswith("/mail/cid/"):
                    body, kind = PNG, "image/png"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return  # TLS handshakes a browser abandons are not test failures

        httpd = Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def seen(self) -> list[str]:
        """Return a copy of the request paths received so far."""
        with self._lock:
            return list(self.requests)


def loopback_tls_context(directory: Path) -> ssl.SSLContext:
    """Return a server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
