"""Fetching an IdP's metadata by URL without becoming a proxy into the private network (SSRF).

The URL must be https, its host must resolve to public addresses only, and the connection
goes to the address that was checked (no second lookup a DNS rebinding could answer
differently), with the certificate checked against the host name. No redirect is followed,
the body is limited in size and the whole fetch in time.

Tests serve metadata on http://127.0.0.1: `settings.SSO_ALLOW_LOOPBACK_IDP` (off, and not
settable from the environment) allows exactly that, plain http to a loopback address.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings

MAX_BYTES = 512 * 1024
TIMEOUT_SECONDS = 10.0


class FetchError(Exception):
    """The metadata could not be fetched; the message is safe to show the owner."""


def loopback_allowed() -> bool:
    return bool(getattr(settings, "SSO_ALLOW_LOOPBACK_IDP", False))


def is_loopback_http(url: str) -> bool:
    """Whether `url` is plain http to a loopback address, which only tests may use."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The host {host} could not be resolved.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _allowed(address: str, *, loopback: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global or (loopback and ip.is_loopback)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def metadata_fetch(
    url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS
) -> bytes:
    """The body of `url`, or FetchError saying why not."""
    parts = urlsplit(url)
    loopback = loopback_allowed() and is_loopback_http(url)
    if parts.scheme != "https" and not loopback:
        raise FetchError("The metadata URL must be an https:// URL.")
    if not parts.hostname or parts.username or parts.password:
        raise FetchError("The metadata URL must name a host, without a user or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("The metadata URL has an invalid port.") from exc
    addresses = _addresses(parts.hostname, port)
    if not addresses or not all(_allowed(a, loopback=loopback) for a in addresses):
        raise FetchError(
            f"The host {parts.hostname} resolves to a private or reserved address; only public "
            "addresses are fetched."
        )
    deadline = time.monotonic() + timeout
    connection_class = _PinnedHTTP if parts.scheme == "http" else _PinnedHTTPS
    connection = connection_class(parts.hostname, port, addresses[0], timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "GET", path, headers={"Accept": "application/samlmetadata+xml, application/xml"}
        )
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise FetchError(
                f"The metadata URL redirects (HTTP {response.status}): give its target."
            )
        if response.status != 200:
            raise FetchError(f"The metadata URL answered HTTP {response.status}.")
        body = bytearray()
        while chunk := response.read(64 * 1024):
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"The metadata is larger than {max_bytes // 1024} KB.")
            if time.monotonic() > deadline:
                raise FetchError("Fetching the metadata took too long.")
        return bytes(body)
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"The metadata could not be fetched ({type(exc).__name__}).") from exc
    finally:
        connection.close()
