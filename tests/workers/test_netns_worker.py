"""A worker on another host: in its own network namespace, it reaches Redis over a veth link and finishes jobs."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import redis

from api.app import create_app
from api.apps import AppStore
from api.cli.launcher import RedisServer, free_port
from bench.synth import text_page
from tests.servers import b64, make_settings, start_worker, wait_for

# Names unique to this run, so that two test runs on one machine do not meet (interface names: 15 characters).
TAG = f"{os.getpid() % 100000}"
NAMESPACE = f"ocrq-test-{TAG}"
HOST_SIDE, NS_SIDE = f"ocrqh{TAG}", f"ocrqn{TAG}"
# A /30 of 10.213.0.0/16 of its own, away from the usual container and VPN ranges.
SUBNET = (os.getpid() % 16000) * 4
HOST_ADDRESS = f"10.213.{SUBNET // 256}.{SUBNET % 256 + 1}"
NS_ADDRESS = f"10.213.{SUBNET // 256}.{SUBNET % 256 + 2}"


def ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


def must(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"{' '.join(result.args)}: {result.stderr}"


@pytest.fixture()
def namespace():
    """The namespace, linked to this host by a veth pair: HOST_ADDRESS here, NS_ADDRESS in there."""
    if not shutil.which("ip"):
        pytest.skip("`ip` is not installed (Debian package iproute2): cannot make a network namespace")
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (or CAP_NET_ADMIN); the tests run as an ordinary user")
    made = ip("netns", "add", NAMESPACE)
    if made.returncode != 0:
        pytest.skip(f"`ip netns add` is refused here (a container without CAP_NET_ADMIN?): {made.stderr.strip()}")
    try:
        must(ip("link", "add", HOST_SIDE, "type", "veth", "peer", "name", NS_SIDE))
        must(ip("link", "set", NS_SIDE, "netns", NAMESPACE))
        must(ip("addr", "add", f"{HOST_ADDRESS}/30", "dev", HOST_SIDE))
        must(ip("link", "set", HOST_SIDE, "up"))
        for command in (["addr", "add", f"{NS_ADDRESS}/30", "dev", NS_SIDE], ["link", "set", NS_SIDE, "up"],
                        ["link", "set", "lo", "up"]):
            must(ip("netns", "exec", NAMESPACE, "ip", *command))
        yield NAMESPACE
    finally:
        # Deleting the namespace destroys its end of the pair, and with it the other end.
        ip("netns", "del", NAMESPACE)
        ip("link", "del", HOST_SIDE)


@pytest.fixture()
def redis_on_the_link(namespace, tmp_path):
    """A redis-server listening only on the host's end of the link (loopback inside the namespace is not it),
    with a password, as Redis reached over a network must have (without one it refuses all but loopback)."""
    port, password = free_port(), secrets.token_hex(16)
    log = tmp_path / "redis.log"
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", HOST_ADDRESS, "--dir", str(tmp_path),
                             "--save", "", "--appendonly", "no", "--requirepass", password],
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    server = RedisServer(proc, port, tmp_path)
    client = redis.Redis(host=HOST_ADDRESS, port=port, password=password)
    if not wait_for(lambda: _answers(client), timeout=30):
        proc.kill()
        pytest.fail(f"redis-server did not start on {HOST_ADDRESS}:{port}: {log.read_text()[-2000:]}")
    yield f"redis://:{password}@{HOST_ADDRESS}:{port}/0"
    server.stop()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.ResponseError):
        return False


def test_a_worker_in_another_network_namespace_finishes_jobs(namespace, redis_on_the_link, tmp_path: Path):
    settings = make_settings(redis_on_the_link)
    worker = start_worker(settings, tmp_path, "netns", prefix=("ip", "netns", "exec", namespace))
    try:
        # The worker really is over there: its process is in the namespace, where only the link leads to Redis.
        assert ip("netns", "identify", str(worker.process.pid)).stdout.strip() == namespace
        client = create_app(settings).test_client()
        _, code = AppStore(redis.Redis.from_url(redis_on_the_link)).create("netns")
        headers = {"Authorization": f"APPCODE {code}"}
        pages = [text_page(70 + i, n_lines=2) for i in range(4)]
        accepted = []
        for page in pages:
            r = client.post("/v1/jobs/ocr_general", json={"image": b64(page.encode())}, headers=headers)
            assert r.status_code == 202, r.json
            accepted.append(r.json["request_id"])

        ended = {}

        def all_ended():
            for request_id in accepted:
                job = client.get(f"/v1/jobs/{request_id}", headers=headers).json
                if job["status"] in ("succeeded", "failed"):
                    ended[request_id] = job
            return len(ended) == len(accepted)
        wait_for(all_ended, timeout=120, interval=0.25)
        assert len(ended) == len(accepted), f"{len(accepted)} accepted, {len(ended)} ended"
        store = redis.Redis.from_url(redis_on_the_link)
        for request_id, page in zip(accepted, pages):
            job = ended[request_id]
            assert job["status"] == "succeeded", job
            assert page.lines[0].text[:4] in "\n".join(line["word"] for line in job["result"]["ret"])
            assert store.hget(f"ocr:job:{request_id}", "worker").decode().startswith("netns@")
    finally:
        worker.stop()
