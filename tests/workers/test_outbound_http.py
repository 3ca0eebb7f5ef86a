"""The outbound guard shared by image URLs and callbacks: which addresses may be reached, and `post`'s rules."""
from __future__ import annotations

import socket

import pytest

from tests.servers import HttpReceiver
from workers.outbound_http import AddressRefused, OutboundError, address_allowed, parse_networks, post

LOCAL = ("127.0.0.0/8",)


# -- addresses -------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "169.254.169.254", "169.254.1.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1", "ff0e::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1", "::127.0.0.1",
    "2002:7f00:1::", "2002:a9fe:a9fe::1", "64:ff9b::a00:1", "64:ff9b::7f00:1",
])
def test_forbidden_addresses(address):
    assert not address_allowed(address)


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111",
    "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808",
])
def test_public_addresses(address):
    assert address_allowed(address)


def test_allow_list():
    ten = parse_networks(("10.0.0.0/8",))
    assert address_allowed("10.1.2.3", ten)
    assert not address_allowed("192.168.1.1", ten)
    assert address_allowed("::ffff:127.0.0.1", parse_networks(LOCAL))
    assert address_allowed("fd00::5", parse_networks(("fd00::/8",)))
    assert address_allowed("8.8.8.8", ten)  # the list adds to the public internet
    with pytest.raises(ValueError):
        parse_networks(("not a network",))


# -- post (callbacks) ------------------------------------------------------------------

@pytest.fixture()
def receiver():
    r = HttpReceiver()
    yield r
    r.stop()


def send(url: str, allow=LOCAL, timeout: float = 5.0) -> int:
    return post(url, b'{"a": 1}', headers={"Content-Type": "application/json"}, timeout=timeout, allow_networks=allow)


def test_post_delivers_to_an_allowed_address(receiver):
    assert send(receiver.url + "/hook") == 200
    assert [(r["path"], r["body"]) for r in receiver.requests] == [("/hook", b'{"a": 1}')]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_post_to_loopback_refused_without_the_allow_list(receiver, host):
    with pytest.raises(AddressRefused):
        send(f"http://{host}:{receiver.port}/hook", allow=())
    assert receiver.requests == []


def test_post_does_not_follow_redirects(receiver):
    receiver.script = [302]
    assert send(receiver.url + "/hook") == 302
    assert [r["path"] for r in receiver.requests] == ["/hook"]  # /redirected never asked for


def test_post_is_time_capped(receiver):
    receiver.script = ["slow"]
    with pytest.raises(OutboundError, match="timed out"):
        send(receiver.url + "/hook", timeout=0.5)


def test_post_network_error_is_an_outbound_error_not_a_refusal(receiver):
    receiver.script = ["drop"]
    with pytest.raises(OutboundError) as err:
        send(receiver.url + "/hook")
    assert not isinstance(err.value, AddressRefused)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "http://", "not a url"])
def test_post_only_http_and_https(url):
    with pytest.raises(AddressRefused):
        send(url)


def test_post_rebinding_caught_on_the_connected_socket(receiver, monkeypatch):
    """The name checks out as public, then resolves to loopback when urllib3 connects."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "127.0.0.1"), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(AddressRefused, match="connected to forbidden"):
        send(f"http://rebind.test:{receiver.port}/hook", allow=())
    assert receiver.requests == []
