"""The compose stack run for real: images built from a debootstrapped Debian with no image registry, then Redis,
the API and two worker containers from docker-compose.yml (only the image names and the published address set
through its variables). 200 pictures go in through the API's published port while one worker container is
SIGKILLed mid-job, a third is started (`--scale worker=3`) and the Redis container is restarted; every accepted
job ends succeeded with its own picture's text, none is lost. An APPCODE made inside the API container works
from outside, the workers' health check tells a worker from no worker, and everything made is removed.

Debian's docker-compose drives podman through its Docker-compatible socket (`podman system service`, started
here on a socket of the test's own). podman runs health checks from systemd timers; with no systemd (as in
a container) nothing runs them, so the test does, every few seconds, as the timers would.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bench.synth import text_page
from tests.servers import ROOT, b64, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

COMPOSE_FILE = ROOT / "docker-compose.yml"
# Kept across runs (they are the build's layer cache): built again, in seconds, when the sources change.
OCRQ_IMAGE = "localhost/ocrq-test:latest"
REDIS_IMAGE = "localhost/ocrq-test-redis:latest"
BASE_IMAGE = "localhost/ocrq-base:bookworm"
JOBS = 200
TOOLS = {"podman": "podman", "runc": "runc", "docker-compose": "docker-compose", "debootstrap": "debootstrap",
         "netavark": "/usr/lib/podman/netavark", "aardvark-dns": "/usr/lib/podman/aardvark-dns", "iptables": "iptables"}


_capture = None  # pytest's capture manager: what the test says reaches the terminal of `make test` too


def say(message: str) -> None:
    line = f"[compose-stack {time.strftime('%H:%M:%S')}] {message}"
    if _capture is None:
        print(line, file=sys.stderr, flush=True)
        return
    with _capture.global_and_fixture_disabled():
        print(line, file=sys.stderr, flush=True)


@dataclass
class Stack:
    tmp: Path
    env: dict[str, str]
    project: str
    url: str
    service: subprocess.Popen | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def podman(self, *args: str, timeout: float = 120, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run(["podman", *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                                **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)} exited {result.returncode}: {result.stderr[-2000:]}")
        return result

    def compose(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(["docker-compose", "-p", self.project, "-f", str(COMPOSE_FILE), "--compatibility",
                                 *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"docker-compose {' '.join(args)}: {result.stderr[-3000:]}"
        return result

    def containers(self, service: str | None = None, running: bool = True) -> list[dict]:
        out = self.podman("ps", *([] if running else ["-a"]), "--format", "json",
                          "--filter", f"label=com.docker.compose.project={self.project}").stdout
        found = json.loads(out or "[]")
        return sorted((c for c in found if service is None or c["Labels"].get("com.docker.compose.service") == service),
                      key=lambda c: c["Names"][0])

    def name(self, service: str) -> str:
        (container,) = self.containers(service)
        return container["Names"][0]

    def redis_cli(self, commands: list[str]) -> list[str]:
        """Redis commands run by redis-cli in the Redis container (its port is not published), one reply a line."""
        result = self.podman("exec", "-i", self.name("redis"), "redis-cli", input="\n".join(commands) + "\n")
        return result.stdout.splitlines()

    def run_health_checks(self) -> None:
        """What podman's systemd timers do: each container's health check, run every few seconds."""
        while not self.stop.wait(3):
            try:
                for container in self.containers():
                    self.podman("healthcheck", "run", container["Id"], check=False, timeout=30)
            except (AssertionError, subprocess.SubprocessError, json.JSONDecodeError):
                pass  # a container went away between the listing and its check


def exec_refused(env: dict[str, str]) -> str | None:
    """Why `podman exec` cannot run a command in a container's own files here, or None when it can.

    Health checks and `docker-compose exec` are such commands. runc inside a chroot (a fresh machine made by
    ../shared/tools/fresh-debian.sh) starts them in the chroot's files instead: nothing the test could change."""
    name = f"ocrq-exec-probe-{uuid.uuid4().hex[:8]}"
    run = subprocess.run(["podman", "run", "-d", "--name", name, "--network=none", BASE_IMAGE, "sh", "-c",
                          "touch /ocrq-exec-probe && exec sleep 60"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    try:
        probe = None
        for _ in range(20):
            probe = subprocess.run(["podman", "exec", name, "test", "-e", "/ocrq-exec-probe"], env=env,
                                   capture_output=True, text=True, timeout=60)
            if probe.returncode == 0:
                return None
            time.sleep(0.25)
        return ("podman exec runs commands outside the container's own files on this machine (runc in a chroot?), "
                f"so no health check or `docker-compose exec` can work: {probe.stdout}{probe.stderr}".strip())
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], env=env, capture_output=True, timeout=60)


def build_images(env: dict[str, str], tmp: Path) -> None:
    log = tmp / "build.log"
    started = time.monotonic()
    with open(log, "w") as out:
        result = subprocess.run(["deploy/build-images.sh"], cwd=ROOT, env={
            **env, "OCRQ_IMAGE": OCRQ_IMAGE, "OCRQ_REDIS_IMAGE": REDIS_IMAGE}, stdout=out, stderr=subprocess.STDOUT,
            timeout=1800)
    tail = log.read_text()[-4000:]
    assert result.returncode == 0, f"make images (deploy/build-images.sh) failed:\n{tail}"
    say(f"images built in {time.monotonic() - started:.0f} s (base and layers cached after the first time)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory, pytestconfig):
    global _capture
    _capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    missing = [name for name, command in TOOLS.items() if not shutil.which(command)]
    assert not missing, f"not installed: {', '.join(missing)} (`make test` installs them: APT_TEST_PACKAGES)"
    assert os.geteuid() == 0, "debootstrap and podman's networks here need root (CI and `make test` as root)"
    tmp = tmp_path_factory.mktemp("compose-stack")
    # podman's settings for a machine like CI's (itself a container), unless CONTAINERS_CONF names others.
    env = {"CONTAINERS_CONF": str(ROOT / "deploy" / "containers.conf"), **os.environ}
    started = time.monotonic()
    base = subprocess.run(["deploy/base-image.sh", BASE_IMAGE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    assert base.returncode == 0, f"deploy/base-image.sh: {base.stdout[-2000:]}{base.stderr[-2000:]}"
    say(f"base image {BASE_IMAGE} ready in {time.monotonic() - started:.0f} s")
    # Skipped only when the runtime refuses a container at all; a network that cannot be made is a failure
    # (netavark without iptables, say: something missing, which `make test` installs).
    for network in ("none", "bridge"):
        probe = subprocess.run(["podman", "run", "--rm", f"--network={network}", BASE_IMAGE, "true"], env=env,
                               capture_output=True, text=True, timeout=120)
        if probe.returncode != 0 and network == "none":
            pytest.skip(f"podman cannot start a container on this machine: {probe.stderr.strip()[-800:]}")
        assert probe.returncode == 0, f"podman starts no container on a network: {probe.stderr.strip()[-800:]}"
    refused = exec_refused(env)
    if refused:
        pytest.skip(refused)
    build_images(env, tmp)

    socket = tmp / "podman.sock"
    port = free_port()
    project = f"ocrqe2e{uuid.uuid4().hex[:10]}"
    stack = Stack(tmp, {**env, "DOCKER_HOST": f"unix://{socket}", "OCRQ_IMAGE": OCRQ_IMAGE,
                        "OCRQ_REDIS_IMAGE": REDIS_IMAGE, "OCRQ_API_PUBLISH": f"127.0.0.1:{port}"},
                  project, f"http://127.0.0.1:{port}")
    stack.service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{socket}"], env=env,
                                     stdout=open(tmp / "podman-service.log", "wb"), stderr=subprocess.STDOUT)
    checker = threading.Thread(target=stack.run_health_checks, daemon=True)
    try:
        assert wait_for(socket.exists, 30), "podman system service made no socket"
        checker.start()
        started = time.monotonic()
        # Waits for Redis to be healthy (depends_on), as an operator's `up` does.
        try:
            stack.compose("up", "-d", "--no-build", "--scale", "worker=2")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{_logs(stack)}") from None
        ready = wait_for(lambda: _ready(stack.url, workers=2), 180, interval=1)
        assert ready, f"the API at {stack.url} is not ready with 2 workers: {_logs(stack)}"
        say(f"stack up in {time.monotonic() - started:.0f} s: {[c['Names'][0] for c in stack.containers()]}")
        yield stack
    finally:
        stack.stop.set()
        if checker.is_alive():
            checker.join(timeout=60)
        _tear_down(stack)
        stack.service.terminate()
        stack.service.wait(timeout=30)


def _ready(url: str, workers: int) -> bool:
    try:
        answer = requests.get(f"{url}/readyz", timeout=3)
    except requests.RequestException:
        return False
    return answer.status_code == 200 and answer.json().get("workers_alive", 0) >= workers


def _logs(stack: Stack) -> str:
    """Each container's last lines and health checks, for a failure's message."""
    return "\n".join(f"--- {c['Names'][0]}\n" + stack.podman("logs", "--tail", "20", c["Id"], check=False).stderr
                     + stack.podman("inspect", "--format", "{{json .State.Health}}", c["Id"], check=False).stdout
                     for c in stack.containers(running=False))


def _tear_down(stack: Stack) -> None:
    """`docker-compose down -v`; then nothing of the project may be left: containers, networks, volumes."""
    label = f"label=com.docker.compose.project={stack.project}"
    down = subprocess.run(["docker-compose", "-p", stack.project, "-f", str(COMPOSE_FILE), "down", "-v",
                           "--remove-orphans", "-t", "10"], env=stack.env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    listings = {"containers": ("ps", "-a"), "networks": ("network", "ls"), "volumes": ("volume", "ls")}
    left = {kind: stack.podman(*listing, "-q", "--filter", label, check=False).stdout.split()
            for kind, listing in listings.items()}
    # Removed by hand if `down` left any, so that a failed run leaves nothing behind either.
    for ident in left["containers"]:
        stack.podman("rm", "-f", "-t", "0", ident, check=False)
    for ident in left["networks"]:
        stack.podman("network", "rm", "-f", ident, check=False)
    for ident in left["volumes"]:
        stack.podman("volume", "rm", "-f", ident, check=False)
    say(f"cleaned up project {stack.project}: down exited {down.returncode}, left {left}")
    assert down.returncode == 0 and not any(left.values()), f"left behind: {left}; {down.stderr[-2000:]}"


def make_app(stack: Stack, name: str) -> tuple[str, str]:
    """`ocrq apps create NAME` run inside the API container, as README "Production" says: (app_id, APPCODE)."""
    out = stack.compose("exec", "-T", "api", "ocrq", "apps", "create", name).stdout
    printed = dict(line.split(None, 1) for line in out.splitlines() if line.startswith(("app_id", "APPCODE")))
    return printed["app_id"].strip(), printed["APPCODE"].strip()


def test_an_appcode_made_in_the_api_container_works_from_outside(stack):
    _, code = make_app(stack, "outside")
    missing = requests.get(f"{stack.url}/v1/jobs/no-such-job", headers={"Authorization": f"APPCODE {code}"},
                           timeout=10)
    assert missing.status_code == 404, missing.text  # past authentication: the job is what is missing
    refused = requests.get(f"{stack.url}/v1/jobs/no-such-job", headers={"Authorization": "APPCODE " + "0" * 32},
                           timeout=10)
    assert refused.status_code == 403, refused.text
    page = text_page(6001, n_lines=2)
    answer = requests.post(f"{stack.url}/api/predict/ocr_general", json={"image": b64(page.encode("jpg"))},
                           headers={"Authorization": f"APPCODE {code}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert page.lines[0].text[:4] in "\n".join(line["word"] for line in answer.json()["ret"])


def test_the_worker_health_check_tells_a_worker_from_none(stack):
    workers = stack.containers("worker")
    assert len(workers) == 2
    for worker in workers:
        check = stack.podman("exec", worker["Id"], "ocrq-healthcheck", "worker", check=False)
        assert check.returncode == 0, check.stdout + check.stderr
    # The API's container runs no worker: the same check, with the same Redis, fails there and says why.
    check = stack.podman("exec", stack.name("api"), "ocrq-healthcheck", "worker", check=False)
    assert check.returncode == 1 and "no heartbeat of a worker" in check.stdout, check.stdout + check.stderr
    # And the runtime sees every container healthy, by the checks of docker-compose.yml and the images.
    assert wait_for(lambda: all(_health(stack, c["Id"]) == "healthy" for c in stack.containers()), 60, interval=1), \
        {c["Names"][0]: _health(stack, c["Id"]) for c in stack.containers()}


def _health(stack: Stack, ident: str) -> str:
    return stack.podman("inspect", "--format", "{{.State.Health.Status}}", ident, check=False).stdout.strip()


@dataclass
class Load:
    """The pictures sent, what the API answered, and what happened to the stack meanwhile."""

    ids: dict[int, str] = field(default_factory=dict)      # picture -> request_id (202)
    refusals: Counter = field(default_factory=Counter)     # answers other than 202 before it, retried
    history: dict[int, list] = field(default_factory=dict)  # picture -> those answers, in order
    killed: str = ""
    killed_jobs: list[str] = field(default_factory=list)   # running in the killed container when it died


def submit(session: requests.Session, url: str, body: str, headers: dict[str, str], load: Load, n: int) -> str:
    """Send one picture until the API accepts it; 429/450 wait as told, 503 and no answer (Redis restarting)
    a moment. The Idempotency-Key makes a retry of a submission that was stored after all the same job."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            answer = session.post(f"{url}/v1/jobs/ocr_general?queue=bulk", data=body, headers=headers, timeout=30)
        except requests.RequestException:
            load.refusals["no answer"] += 1
            load.history.setdefault(n, []).append("no answer")
            time.sleep(0.5)
            continue
        if answer.status_code == 202:
            return answer.json()["request_id"]
        assert answer.status_code in (429, 450, 503), f"{answer.status_code}: {answer.text[:500]}"
        load.refusals[answer.status_code] += 1
        load.history.setdefault(n, []).append(answer.status_code)
        time.sleep(min(5.0, float(answer.headers.get("Retry-After") or 0.5)))
    raise AssertionError(f"the API accepted no submission for 180 s: {dict(load.refusals)}")


def job_fields(stack: Stack, ids: list[str], *names: str) -> dict[str, dict[str, str]]:
    lines = stack.redis_cli([f"HMGET ocr:job:{i} {' '.join(names)}" for i in ids])
    assert len(lines) == len(ids) * len(names), lines[:10]
    return {i: dict(zip(names, lines[k * len(names):(k + 1) * len(names)])) for k, i in enumerate(ids)}


def kill_a_worker_mid_job(stack: Stack, load: Load) -> None:
    """SIGKILL the worker container that runs one of the jobs now (its processes die with it)."""
    def running_host():
        fields = job_fields(stack, list(load.ids.values()), "status", "worker")
        hosts = [f["worker"].split("@", 1)[1].rsplit(":", 1)[0] for f in fields.values() if f["status"] == "running"]
        return hosts[0] if hosts else None
    host = wait_for(running_host, 60, interval=0.2)
    assert host, "no job ran within a minute"
    (victim,) = [c for c in stack.containers("worker") if c["Id"].startswith(host)]
    stack.podman("kill", "--signal", "KILL", victim["Id"])
    load.killed = victim["Names"][0]
    fields = job_fields(stack, list(load.ids.values()), "status", "worker")
    load.killed_jobs = [i for i, f in fields.items() if f["status"] == "running" and f"@{host}:" in f["worker"]]
    say(f"SIGKILLed {load.killed} with {len(load.killed_jobs)} job(s) running")


def unended(stack: Stack, load: Load, app_id: str) -> list[dict]:
    """What Redis holds of each job that has not ended, and how its submission went."""
    fields = job_fields(stack, list(load.ids.values()), "status", "attempts", "worker")
    found = []
    for n, request_id in load.ids.items():
        if fields[request_id]["status"] in ("succeeded", "failed"):
            continue
        key = f"{stack.project}-{n}"
        exists, image, bound = stack.redis_cli([f"EXISTS ocr:job:{request_id}", f"EXISTS ocr:job:{request_id}:image",
                                                f"GET ocr:idem:{app_id}:{key}"])
        found.append({"picture": n, "request_id": request_id, **fields[request_id], "job hash": exists,
                      "image": image, "Idempotency-Key bound to": bound, "answers before 202": load.history.get(n)})
    return found


def bigrams(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[k:k + 2] for k in range(len(text) - 1)}


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def test_accepted_jobs_survive_a_killed_worker_a_new_one_and_a_redis_restart(stack):
    app_id, code = make_app(stack, "load")
    headers = {"Authorization": f"APPCODE {code}", "Content-Type": "application/json"}
    pages = [text_page(7000 + n, n_lines=2) for n in range(JOBS)]
    load = Load()
    session = requests.Session()
    # Redis restarts while pictures keep coming: those sent meanwhile are answered 503 (or not at all) and sent again.
    restarted = []

    def restart_redis():
        stack.compose("restart", "-t", "10", "redis")
        restarted.append(time.monotonic() - started)
        say("restarted the Redis container")
    restart = threading.Thread(target=restart_redis)
    started = time.monotonic()
    for n, page in enumerate(pages):
        body = json.dumps({"image": b64(page.encode("jpg"))})
        load.ids[n] = submit(session, stack.url, body, {**headers, "Idempotency-Key": f"{stack.project}-{n}"}, load, n)
        if n == 50:
            kill_a_worker_mid_job(stack, load)
        elif n == 70:
            stack.compose("up", "-d", "--no-build", "--no-recreate", "--scale", "worker=3")
            say(f"scaled to 3 workers: {[c['Names'][0] for c in stack.containers('worker')]}")
        elif n == 120:
            restart.start()
    restart.join(timeout=120)
    assert restarted, "docker-compose restart redis did not finish"
    submitted = time.monotonic() - started
    say(f"{len(load.ids)} pictures accepted in {submitted:.0f} s; refused first and sent again: {dict(load.refusals)}")
    assert len(set(load.ids.values())) == JOBS, "two pictures were answered with one job"

    ids = list(load.ids.values())
    # A job of the killed container comes back after the broker's visibility timeout (OCR_HARD_TIME_LIMIT x 1.5
    # + 5 s, 140 s with the file's settings): allow for that past the work itself.
    def all_ended():
        try:
            statuses = [f["status"] for f in job_fields(stack, ids, "status").values()]
        except AssertionError:
            return False  # redis-cli could not be run just then
        return all(s in ("succeeded", "failed") for s in statuses)
    ended = wait_for(all_ended, 420, interval=3)
    statuses = Counter(f["status"] or "lost" for f in job_fields(stack, ids, "status").values())
    say(f"ended {time.monotonic() - started:.0f} s after the first submission: {dict(statuses)}")
    assert ended, f"not every accepted job ended: {dict(statuses)}; {unended(stack, load, app_id)}"

    jobs = {n: session.get(f"{stack.url}/v1/jobs/{i}", headers=headers, timeout=30).json() for n, i in load.ids.items()}
    succeeded = {n: job for n, job in jobs.items() if job.get("status") == "succeeded"}
    truths = [bigrams(page.text) for page in pages]
    wrong = []
    for n, job in succeeded.items():
        read = bigrams("".join(line["word"] for line in job["result"]["ret"]))
        scores = [similarity(read, truth) for truth in truths]
        if max(range(JOBS), key=scores.__getitem__) != n:
            wrong.append(n)
    attempts = job_fields(stack, load.killed_jobs, "attempts", "status") if load.killed_jobs else {}
    workers = stack.containers("worker")
    memory = stack.podman("exec", stack.name("api"), "cat", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes",
                          check=False).stdout.strip()
    say(f"{JOBS} pictures, {len(load.ids)} accepted, {len(succeeded)} succeeded, "
        f"{statuses.get('failed', 0)} failed, {JOBS - sum(statuses[s] for s in ('succeeded', 'failed'))} lost, "
        f"{len(wrong)} with another picture's text; refusals retried {dict(load.refusals)}; "
        f"{load.killed} SIGKILLed with {len(load.killed_jobs)} running, their attempts "
        f"{[f['attempts'] for f in attempts.values()]}; {len(workers)} workers at the end; "
        f"API container peak memory {int(memory or 0) / 2**20:.0f} MiB; "
        f"{time.monotonic() - started:.0f} s from the first submission to the last check")
    assert len(succeeded) == JOBS, {n: jobs[n] for n in set(jobs) - set(succeeded)}
    assert not wrong, f"results of other pictures: {wrong}"
    assert load.killed_jobs, "the killed container ran no job"
    assert all(int(f["attempts"]) >= 2 for f in attempts.values()), attempts
    assert len(workers) == 3 and _ready(stack.url, workers=3)
