"""HTTP requests the service makes on a client's behalf (image URLs, callbacks): public addresses only, time-capped.

A target is checked after DNS, on every redirect and on the connected socket itself (against DNS rebinding);
an operator's allow-list (CIDR) may open private networks. Refused targets are never sent a byte.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class OutboundError(Exception):
    """Why an outbound request did not give an answer: the network, a cap, the time-out, or a refusal."""


class AddressRefused(OutboundError):
    """The target is outside the policy (scheme, or an address after DNS, on a redirect or once connected)."""


def address_allowed(address: str, networks: tuple[IPNetwork, ...] = ()) -> bool:
    """A public address (not loopback, private, link-local, CGNAT, multicast...), or one inside the operator's
    allow-list (`parse_networks`)."""
    return _allowed(_parse(address), networks)


def parse_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The allow-list's networks; a malformed entry is the operator's mistake and raises ValueError."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def fetch(url: str, *, max_bytes: int, timeout: float, allow_networks: tuple[str, ...] = ()) -> bytes:
    """GET `url`'s body, at most `max_bytes`, within `timeout` seconds in all, following up to five redirects.

    Raises OutboundError (AddressRefused for a target outside the policy); ValueError for a bad allow-list.
    """
    networks = parse_networks(allow_networks)
    watchdog = _Watchdog(timeout)
    try:
        with watchdog, _session(networks, watchdog.register) as session:
            return _fetch(session, url, networks, max_bytes, watchdog)
    except OutboundError:
        raise
    except Exception as exc:  # noqa: BLE001 - requests', urllib3's, IDNA's...: all "no answer"
        raise _no_answer(exc, watchdog) from None


def post(url: str, body: bytes, *, headers: dict[str, str], timeout: float,
         allow_networks: tuple[str, ...] = ()) -> int:
    """POST `body` to `url` and return the answer's status; redirects are not followed (a 3xx is returned).

    At most a little of the answer's body is read, then dropped. Raises as `fetch` does.
    """
    networks = parse_networks(allow_networks)
    watchdog = _Watchdog(timeout)
    try:
        with watchdog, _session(networks, watchdog.register) as session:
            _check_url(url, networks)
            response = session.post(url, data=body, headers=headers, stream=True, allow_redirects=False,
                                    timeout=watchdog.remaining())
            with response:
                for _ in zip(range(4), response.iter_content(_CHUNK)):
                    pass  # the receiver's answer is not ours to keep; reading some lets the connection close cleanly
                watchdog.check()
                return response.status_code
    except OutboundError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in fetch
        raise _no_answer(exc, watchdog) from None


def _no_answer(exc: Exception, watchdog: _Watchdog) -> OutboundError:
    # The watchdog ends a request by shutting its socket, which requests reports as a dropped connection.
    return OutboundError("timed out" if watchdog.expired else f"{type(exc).__name__}: {exc}")


def _fetch(session: requests.Session, url: str, networks: tuple[IPNetwork, ...], max_bytes: int,
           watchdog: _Watchdog) -> bytes:
    for _ in range(MAX_REDIRECTS + 1):
        _check_url(url, networks)
        response = session.get(url, stream=True, allow_redirects=False, timeout=watchdog.remaining(),
                               headers={"Accept-Encoding": "identity"})  # no gzip bomb behind the cap
        with response:
            target = session.get_redirect_target(response)
            if target:
                url = urljoin(response.url, target)
                continue
            if not 200 <= response.status_code < 300:
                raise OutboundError(f"status {response.status_code}")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise OutboundError(f"Content-Length {length} over the cap")
            body = bytearray()
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise OutboundError("body over the cap")
            # A read cut short by the watchdog looks like the end of the body: do not trust it.
            watchdog.check()
            return bytes(body)
    raise OutboundError("too many redirects")


def _check_url(url: str, networks: tuple[IPNetwork, ...]) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AddressRefused(f"scheme {parts.scheme!r} or host missing")
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundError(f"{parts.hostname} does not resolve: {exc}") from None
    addresses = {info[4][0] for info in infos}
    forbidden = [a for a in addresses if not address_allowed(a, networks)]
    if not addresses or forbidden:
        raise AddressRefused(f"{parts.hostname} resolves to forbidden {forbidden}")


def _session(networks: tuple[IPNetwork, ...], register: Callable[[socket.socket], None]) -> requests.Session:
    """A session whose connections refuse a peer outside the policy.

    The name is resolved and checked in `_check_url`, then resolved again by urllib3 when it connects: a
    DNS answer that changes in between (rebinding) would slip past the first check, so each connection
    checks the address it is actually connected to before a byte of the request is sent. Checking in
    `connect` (http.client's public hook) keeps the guard in place whatever urllib3 does inside it.
    """
    def check(sock: socket.socket) -> None:
        register(sock)
        peer = sock.getpeername()[0]
        if not address_allowed(peer, networks):
            raise AddressRefused(f"connected to forbidden {peer}")

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": _checked_pool(HTTPConnectionPool, HTTPConnection, check),
                "https": _checked_pool(HTTPSConnectionPool, HTTPSConnection, check),
            }

    session = requests.Session()
    # No proxy or .netrc from the environment: the peer checked must be the server itself.
    session.trust_env = False
    session.mount("http://", Adapter())
    session.mount("https://", Adapter())
    return session


def _checked_pool(pool: type, connection: type, check: Callable[[socket.socket], None]) -> type:
    def connect(self) -> None:
        connection.connect(self)
        try:
            check(self.sock)
        except BaseException:
            self.close()
            raise

    checked = type(connection.__name__, (connection,), {"connect": connect})
    return type(pool.__name__, (pool,), {"ConnectionCls": checked})


class _Watchdog:
    """The total time-out: at the deadline every connection is shut down, so a blocked read returns.

    requests' own time-out bounds each socket operation, not the whole: a server sending a byte a
    second would otherwise hold the caller for as long as it likes.
    """

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        self.check()
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if self.expired or time.monotonic() >= self.deadline:
            raise OutboundError("timed out")

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
        self.check()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:
                    # The plain socket's shutdown: SSLSocket's own would tear down TLS state under the reader.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass


def _parse(address: str) -> IPAddress:
    return ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone ("fe80::1%eth0")


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to (mapped, 6to4, NAT64), which decides where it leads."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.ipv4_mapped or ip.sixtofour


def _is_public(ip: IPAddress) -> bool:
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return _is_public(inner)
    # is_global alone is not enough: it counts multicast as global, and its tables differ between Pythons.
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or ip in _CGNAT
    )


def _allowed(ip: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    inner = _embedded_ipv4(ip)
    candidates = (ip,) if inner is None else (ip, inner)
    if any(c in net for c in candidates for net in networks):
        return True
    return _is_public(ip)
