"""Image URLs: public addresses only (after DNS, on every redirect, on the connected socket), a cap, a time-out.

The address rules themselves are tested in tests/workers/test_outbound_http.py."""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api.image_url import fetch_image
from workers import outbound_http
from api.errors import ImageDownloadError

BODY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
LOCAL = ("127.0.0.0/8",)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.hits += 1
        path = self.path
        if path == "/image":
            self.reply(200, BODY)
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect(f"/chain/{left - 1}" if left > 1 else "/image")  # relative Location
        elif path.startswith("/redirect?to="):
            self.redirect(path.split("=", 1)[1])
        elif path.startswith("/big/"):
            self.reply(200, b"x" * int(path.rsplit("/", 1)[1]))
        elif path == "/unsized":
            # No Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"x" * 5000)
            self.close_connection = True
        elif path == "/slow":
            time.sleep(3)
            self.reply(200, BODY)
        elif path == "/dribble":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        elif path == "/dribble-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(60):   # under http.client's 100 headers: 3 s, then a whole answer
                self.wfile.write(b"X-Slow: 1\r\n")
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)
        elif path == "/missing":
            self.reply(404, b"not here")
        else:
            self.reply(500, b"?")

    def reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    hits = 0

    def handle_error(self, request, client_address):
        pass  # the client hanging up on a slow answer is what these tests do


@pytest.fixture()
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, allow=LOCAL, max_bytes: int = 10_000, timeout: float = 5.0) -> bytes:
    return fetch_image(url, max_bytes=max_bytes, timeout=timeout, allow_networks=allow)


def refused(url: str, **kwargs) -> ImageDownloadError:
    with pytest.raises(ImageDownloadError) as err:
        fetch(url, **kwargs)
    assert err.value.code == 462
    assert err.value.error_msg == "Invalid Input - image data error - download image from url error"
    return err.value


# -- fetching --------------------------------------------------------------------------

def test_loopback_refused_by_default(server):
    refused(server.base + "/image", allow=())
    refused(server.base.replace("127.0.0.1", "localhost") + "/image", allow=())
    assert server.hits == 0


def test_allow_list_downloads(server):
    assert fetch(server.base + "/image") == BODY
    assert server.hits == 1


def test_redirects_followed_up_to_five(server):
    assert fetch(server.base + "/chain/5") == BODY
    refused(server.base + "/chain/6")


@pytest.mark.parametrize("target", [
    "http://127.0.0.2:{port}/image",  # loopback, outside the 127.0.0.1/32 allowed below
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://[::1]:{port}/image",
    "file:///etc/passwd",
    "ftp://127.0.0.1:{port}/image",
])
def test_redirect_to_a_forbidden_address_refused(server, target):
    port = server.server_address[1]
    refused(f"{server.base}/redirect?to={target.format(port=port)}", allow=("127.0.0.1/32",))
    assert server.hits == 1


def test_body_over_the_cap_refused(server):
    assert fetch(server.base + "/big/5000", max_bytes=5000) == b"x" * 5000
    refused(server.base + "/big/5001", max_bytes=5000)
    assert fetch(server.base + "/unsized", max_bytes=5000) == b"x" * 5000
    refused(server.base + "/unsized", max_bytes=4999)


@pytest.mark.parametrize("path", ["/slow", "/dribble", "/dribble-headers"])
def test_total_timeout(server, path, caplog):
    # Each of these answers in full after 3 s or more, every read within requests' own time-out
    # for the dribbles: only a time-out of the whole fetch refuses them.
    with caplog.at_level("DEBUG", logger="api.image_url"):
        refused(server.base + path, timeout=0.5)
    reasons = [r.getMessage() for r in caplog.records if r.name == "api.image_url"]
    assert len(reasons) == 1 and "timed out" in reasons[0], reasons


def test_error_status_refused(server):
    refused(server.base + "/missing")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://127.0.0.1/image", "gopher://127.0.0.1:70/", "javascript:alert(1)",
    "//127.0.0.1/image", "http://", "", "not a url", "http://127.0.0.1:99999/",
])
def test_only_http_and_https(url):
    refused(url)


def test_dns_rebinding_caught_on_the_connected_socket(server, monkeypatch):
    """The name checks out as public, then resolves to loopback when urllib3 connects."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = server.server_address[1]
    refused(f"http://rebind.test:{port}/image", allow=())
    assert server.hits == 0
    # Allowed, the same path downloads: the refusal above was the peer check, not a broken fake.
    answers = iter(["127.0.0.1"])
    assert fetch(f"http://rebind.test:{port}/image") == BODY


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_connections_check_their_peer_too(server, monkeypatch):
    """No trusted certificate here: TLS is replaced by plain TCP, to run the https connection class's check."""
    from urllib3.connection import HTTPConnection, HTTPSConnection

    monkeypatch.setattr(HTTPSConnection, "connect", HTTPConnection.connect)
    monkeypatch.setattr(outbound_http, "_check_url", lambda url, networks: None)  # as if DNS had said "public"
    https = server.base.replace("http://", "https://") + "/image"
    assert fetch(https) == BODY
    refused(https, allow=())
    assert server.hits == 1
