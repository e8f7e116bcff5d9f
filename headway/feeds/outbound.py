"""Where the connections that organization users configure may go: the guard against SSRF.

Pull sources (HTTP, PostgreSQL, MySQL, SQLite) and alert channels (webhooks) are set up by
organization users but opened by the server, which can reach what they cannot: its own
loopback services, its private network, the cloud metadata endpoint (169.254.169.254) and
its files, Headway's own database (every tenant's data) among them. So:

- every address a host name resolves to must be public, unless it lies in a network the
  operator allowed (HEADWAY_OUTBOUND_ALLOW; database connections also
  HEADWAY_OUTBOUND_SQL_ALLOW, so a warehouse network can be opened to SQL alone);
- the connection goes to the very address that was checked, so a name that resolves to a
  public address once and to a private one the next time (DNS rebinding) gains nothing;
- SQLite sources open only files under HEADWAY_SQLITE_SOURCES_DIR, never Headway's own
  database.

The forms call `check_url` and `check_database_url` so that users learn at once; the
connections (`http_client`, `addresses`, `sqlite_file`) check again, and that check is the
one that counts. It lives beside the sources; the alert channels import it from here.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.db import connections

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW = "HEADWAY_OUTBOUND_ALLOW"
SQL_ALLOW = "HEADWAY_OUTBOUND_SQL_ALLOW"
SQLITE_DIR = "HEADWAY_SQLITE_SOURCES_DIR"
NETWORK_DATABASES = ("postgres", "postgresql", "mysql", "mariadb")


class OutboundError(Exception):
    """A connection that may not or cannot be made; the message is for the user."""


def _kind(address: Address) -> str | None:
    """What makes an address off limits, or None for a public one."""
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:  # before private: Python counts 240.0.0.0/4 as both
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT), documentation ranges
        return "not a public address"
    return None


def check_address(text: str, host: str, *, sql: bool) -> None:
    """Refuse `text`, an address `host` resolved to, unless it is public or allowed."""
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    kind = _kind(address)
    if kind is None:
        return
    allowed = [*settings.OUTBOUND_ALLOW, *(settings.OUTBOUND_SQL_ALLOW if sql else [])]
    if any(address in network for network in allowed):
        return
    what = f"{text} is" if host == text else f"{host} resolves to {text},"
    variable = f"{ALLOW} or {SQL_ALLOW}" if sql else ALLOW
    raise OutboundError(f"{what} {kind}; the server's operator can allow it with {variable}")


def resolve(host: str) -> list[str]:
    """Every address of a host name (the tests replace this to play DNS)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _lookup(host: str | None) -> tuple[str, list[str]]:
    if not host:
        raise OutboundError("the URL names no host")
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
        return host, [host]
    except ValueError:
        return host, resolve(host)


def addresses(host: str | None, *, sql: bool) -> list[str]:
    """The addresses to connect to for `host`, each of them checked; else OutboundError."""
    try:
        name, found = _lookup(host)
    except (OSError, UnicodeError) as e:  # UnicodeError: not a valid IDNA host name
        reason = getattr(e, "strerror", None) or e
        raise OutboundError(f"cannot find the address of {host}: {reason}") from None
    for text in found:
        check_address(text, name, sql=sql)
    return found


def _check_host(host: str | None, *, sql: bool) -> None:
    try:
        name, found = _lookup(host)
    except (OSError, UnicodeError):
        return  # not resolvable from here just now; the connection will check again
    for text in found:
        check_address(text, name, sql=sql)


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as e:  # e.g. "Invalid IPv6 URL"
        raise OutboundError(f"the URL cannot be read: {e}") from None


def check_url(url: str) -> None:
    """For forms: the URL of an HTTP source or an alert channel."""
    parts = _split(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundError("the URL must start with http:// or https://")
    _check_host(parts.hostname, sql=False)


def check_database_url(url: str) -> None:
    """For forms: the URL of an SQL source (its scheme is checked when it is read)."""
    parts = _split(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        sqlite_file(unquote(parts.path), must_exist=False)
    elif scheme in NETWORK_DATABASES:
        _check_host(parts.hostname, sql=True)


def _own_database_files() -> list[Path]:
    # The settings of each connection name the file in use (the test database in tests).
    return [
        Path(connection.settings_dict["NAME"]).resolve()
        for connection in connections.all()
        if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]) != ":memory:"
    ]


def _is_own_database(target: Path) -> bool:
    for own in _own_database_files():
        # The file and its -wal, -shm, -journal (and copies named after it beside it).
        if str(target).startswith(str(own)):
            return True
        if target.exists() and own.exists() and os.path.samefile(target, own):  # hard links
            return True
    return False


def sqlite_file(url_path: str, *, must_exist: bool = True) -> Path:
    """The file of an sqlite:/// URL's path, if the operator's directory holds it.

    sqlite:///name.db is relative to the directory; sqlite:////absolute/name.db must lie
    in it once symlinks and `..` are resolved.
    """
    root = settings.SQLITE_SOURCES_DIR
    if root is None:
        raise OutboundError(
            "SQLite sources are turned off on this server; its operator can allow the files "
            f"of one directory with {SQLITE_DIR}"
        )
    path = url_path[1:]  # sqlite:///relative or sqlite:////absolute, as dj-database-url reads
    if not path:
        raise OutboundError("the SQLite URL names no file")
    root = Path(root).resolve()
    try:
        target = (root / path).resolve()
    except (OSError, ValueError, RuntimeError) as e:  # a NUL byte, a symlink loop
        raise OutboundError(f"{path!r} is not a usable file name: {e}") from None
    if not target.is_relative_to(root):
        raise OutboundError(f"{path} is outside the directory of SQLite sources ({SQLITE_DIR})")
    if _is_own_database(target):
        raise OutboundError(f"{path} is Headway's own database")
    if must_exist and not target.is_file():
        raise OutboundError(f"{path}: no such file in the directory of SQLite sources")
    return target


class _CheckedBackend(httpcore.NetworkBackend):
    """Resolves, checks every address, then connects to a checked address, never the name.

    TLS still names the host (httpcore passes the URL's host as server_hostname), and
    httpx sends the Host header from the URL.
    """

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        *others, last = addresses(host, sql=False)
        for address in others:  # e.g. an IPv6 address first, when this machine has no IPv6
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError:
                continue
        return self._inner.connect_tcp(last, port, timeout, local_address, socket_options)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise OutboundError("Unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        # httpx has no public way to give its pool a network backend; the pool is all we change.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_CheckedBackend()
        )


def http_client(timeout: float) -> httpx.Client:
    """An httpx client for user-configured URLs.

    Every connection goes to a checked address. Redirects are not followed (a redirect
    answer is an HTTP error), and proxies from the environment are not used: the check
    must see the address that is connected to.
    """
    return httpx.Client(
        transport=_CheckedTransport(), timeout=timeout, follow_redirects=False, trust_env=False
    )
