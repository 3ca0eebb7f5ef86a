"""The deployment files: docker-compose.yml, deploy/Dockerfile and deploy/kubernetes/ agree with the code.

They are run for real in tests/e2e/test_compose_stack.py; here they are read."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import shutil
import socket
import subprocess
import time
from urllib.parse import urlsplit

import fakeredis
import kubernetes_validate
import pytest
import yaml

from api.app import create_app
from api.settings import Settings
from tests.servers import ROOT
from workers.heartbeat import WORKERS_KEY
from workers.queues import QUEUES

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
KUBERNETES = ROOT / "deploy" / "kubernetes"
HEALTHCHECK = ROOT / "deploy" / "ocrq-healthcheck"
SETTINGS_VARS = set(Settings().to_env())
# Variables of the image that are not ours: the shell's PATH, Python's and pip's own.
FOREIGN_VARS = re.compile(r"^(PATH$|PYTHON|PIP_)")
UNITS = {"": 1, "k": 1000, "M": 1000**2, "G": 1000**3, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}


def compose_command() -> list[str] | None:
    """`docker compose` (the v2 plugin) or `docker-compose` (v1), whichever answers."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) and subprocess.run(
                [*command, "version"], capture_output=True, timeout=30).returncode == 0:
            return command
    return None


def kubernetes_documents() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue  # kustomize's own file, not an object of the cluster
        docs += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def by_kind(kind: str) -> list[dict]:
    return [doc for _, doc in kubernetes_documents() if doc["kind"] == kind]


def containers(kind: str, name: str) -> list[dict]:
    (doc,) = [d for d in by_kind(kind) if d["metadata"]["name"] == name]
    return doc["spec"]["template"]["spec"]["containers"]


def as_env(items: list[dict]) -> dict[str, str]:
    """A container's settings: its variables with a value (those from a Secret are not settings)."""
    return {item["name"]: str(item["value"]) for item in items if "value" in item}


def pod_containers() -> list[tuple[str, dict, dict]]:
    """(object name, pod spec, container) of every container of every Deployment and StatefulSet."""
    return [(doc["metadata"]["name"], doc["spec"]["template"]["spec"], container)
            for kind in ("Deployment", "StatefulSet") for doc in by_kind(kind)
            for container in doc["spec"]["template"]["spec"]["containers"]]


def byte_count(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kMG]i?|)", str(quantity)).groups()
    return int(number) * UNITS[unit]


def covers_its_processes(env: dict[str, str], memory_limit: str) -> None:
    """Processes are recycled past OCR_MAX_MEMORY_PER_CHILD: the limit must leave room for that to happen
    before the container is killed, or a worker dies with its jobs instead of recycling a process."""
    settings = Settings.from_env(env)
    assert settings.worker_concurrency > 0, "a container's process count must be explicit, not its host's cores"
    needed = 128 * 1024**2 + settings.worker_concurrency * settings.max_memory_per_child * 1024
    assert byte_count(memory_limit) >= needed


def test_compose_file_validates():
    command = compose_command()
    if command is None:
        pytest.skip("docker compose is not installed: neither `docker compose` (docker-compose-plugin) "
                    "nor `docker-compose` (Debian package docker-compose) answers")
    result = subprocess.run([*command, "-f", str(COMPOSE), "config", "-q"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_compose_services():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == {"redis", "api", "worker"}
    redis = services["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert "redis-cli" in redis["healthcheck"]["test"] and "ping" in redis["healthcheck"]["test"]
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    for name in ("api", "worker"):
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        # Images by name for a site that builds its own (`make images`): the official ones by default.
        assert service["image"] == "${OCRQ_IMAGE:-ocrq:latest}"
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert {t.split(":")[0] for t in service["tmpfs"]} == {"/tmp", "/var/lib/ocrq"}
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379/")
        assert set(service["environment"]) <= SETTINGS_VARS
        Settings.from_env({k: str(v) for k, v in service["environment"].items()})  # every value parses
    assert redis["image"] == "${OCRQ_REDIS_IMAGE:-redis:7-bookworm}"
    assert redis["read_only"] is True and redis["cap_drop"] == ["ALL"] and redis["user"] == "999:999"
    assert services["api"]["command"] == ["api"] and services["worker"]["command"] == ["worker"]
    assert services["api"]["healthcheck"]["test"] == ["CMD", "ocrq-healthcheck", "api"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "ocrq-healthcheck", "worker"]
    limits = services["api"]["deploy"]["resources"]["limits"]
    assert float(limits["cpus"]) > 0 and byte_count(limits["memory"]) >= 512 * UNITS["Mi"]
    worker = services["worker"]
    # `--scale worker=N` needs containers without a fixed name or a published port.
    assert "container_name" not in worker and "ports" not in worker
    covers_its_processes({k: str(v) for k, v in worker["environment"].items()},
                         worker["deploy"]["resources"]["limits"]["memory"])


def test_dockerfile():
    text = DOCKERFILE.read_text()
    instructions = [line.split(None, 1) for line in re.sub(r"\\\n", " ", text).splitlines()
                    if line.strip() and not line.lstrip().startswith("#")]
    # The base is a build argument, the official image by default (a debootstrapped Debian in `make images`).
    assert instructions[0] == ["ARG", "BASE=python:3.11-slim-bookworm"]
    assert instructions[1] == ["FROM", "${BASE} AS system"]
    apt = " ".join(args for op, args in instructions if op == "RUN" and "apt-get install" in args)
    assert "--no-install-recommends" in apt
    for package in ("tesseract-ocr-chi-sim", "tesseract-ocr-eng", "tesseract-ocr-osd"):
        assert package in apt.split()
    assert any(op == "RUN" and re.search(r"pip install .*\.\[ppocr\]", args) for op, args in instructions)
    # A virtual environment, not the base's Python (Debian's refuses pip installs into it: PEP 668).
    assert any(op == "RUN" and "python3 -m venv /opt/ocrq" in args for op, args in instructions)
    assert any(op == "ENV" and "PATH=/opt/ocrq/bin:$PATH" in args for op, args in instructions)
    users = [args.split(":")[0].strip() for op, args in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(args for op, args in instructions if op == "ENV")))
    assert "OCR_TESSDATA" in env
    assert {name for name in env if not FOREIGN_VARS.match(name)} <= SETTINGS_VARS
    assert any(op == "HEALTHCHECK" and args.endswith('CMD ["ocrq-healthcheck", "api"]') for op, args in instructions)
    assert ["COPY", "deploy/ocrq-healthcheck /usr/local/bin/ocrq-healthcheck"] in instructions
    assert "!deploy/ocrq-healthcheck" in (ROOT / ".dockerignore").read_text().splitlines()
    assert ["ENTRYPOINT", '["ocrq"]'] in instructions


def test_kubernetes_documents():
    docs = kubernetes_documents()
    for filename, doc in docs:
        assert doc.get("apiVersion") and doc.get("kind") and doc.get("metadata", {}).get("name"), filename
    assert {doc["kind"] for _, doc in docs} >= {"Deployment", "Service", "StatefulSet", "ScaledObject"}
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}


def test_kubernetes_settings_and_probes():
    routes = {rule.rule for rule in create_app(Settings.from_env({})).url_map.iter_rules()}
    services = {d["metadata"]["name"] for d in by_kind("Service")}
    (api,) = containers("Deployment", "ocrq-api")
    (worker,) = containers("Deployment", "ocrq-worker")
    for container in (api, worker):
        env = as_env(container["env"])
        assert set(env) <= SETTINGS_VARS
        Settings.from_env(env)
        assert urlsplit(env["REDIS_URL"]).hostname in services
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz" in routes
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz" in routes
    assert api["args"] == ["api"] and worker["args"] == ["worker"]
    covers_its_processes(as_env(worker["env"]), worker["resources"]["limits"]["memory"])
    (redis,) = containers("StatefulSet", "ocrq-redis")
    assert redis["args"][redis["args"].index("--appendonly") + 1] == "yes"


def seconds(duration: str | int) -> float:
    """A compose duration (`100s`, `1m30s`) in seconds."""
    minutes, secs = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", str(duration)).groups()
    return int(minutes or 0) * 60 + int(secs or 0)


def test_a_stopped_worker_has_time_to_finish_its_job_and_redis_loses_no_accepted_job():
    # SIGTERM lets a worker finish its running jobs (a job runs at most OCR_HARD_TIME_LIMIT); killed sooner,
    # they go back to the queue only after the visibility timeout and run again from the start.
    worker = yaml.safe_load(COMPOSE.read_text())["services"]["worker"]
    hard_limit = Settings.from_env({k: str(v) for k, v in worker["environment"].items()}).hard_time_limit
    assert seconds(worker["stop_grace_period"]) >= hard_limit
    (doc,) = [d for d in by_kind("Deployment") if d["metadata"]["name"] == "ocrq-worker"]
    (container,) = doc["spec"]["template"]["spec"]["containers"]
    hard_limit = Settings.from_env(as_env(container["env"])).hard_time_limit
    assert doc["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= hard_limit
    # `appendfsync always`: what the API acknowledged is on disk, even if the machine under Redis crashes
    # (a killed or restarted Redis loses nothing either way: tests/workers/test_reliability.py).
    (redis,) = containers("StatefulSet", "ocrq-redis")
    compose_redis = yaml.safe_load(COMPOSE.read_text())["services"]["redis"]["command"]
    for args in (redis["args"], compose_redis):
        assert args[args.index("--appendonly") + 1] == "yes"
        assert args[args.index("--appendfsync") + 1] == "always"


REDIS_UNITS = {"": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}


def redis_bytes(value: str) -> int:
    """A redis.conf memory size (`3gb`, `500mb`) in bytes."""
    number, unit = re.fullmatch(r"(\d+)([kmg]b?|)", value.lower()).groups()
    return int(number) * REDIS_UNITS[unit]


def holds_the_image_budget(api_env: dict[str, str], redis_args: list[str], memory_limit: str) -> None:
    """Waiting pictures stay within the API's budget, Redis refuses writes (never evicts) past maxmemory, and
    its container has room past maxmemory for the AOF rewrite's fork, so it is not killed first."""
    budget = Settings.from_env(api_env).image_budget
    assert budget > 0, "a Redis with a memory limit needs the API to bound the pictures it holds"
    assert redis_args[redis_args.index("--maxmemory-policy") + 1] == "noeviction"
    maxmemory = redis_bytes(redis_args[redis_args.index("--maxmemory") + 1])
    # Allocator rounding of large strings (up to 1/4), and 512 MiB for results, apps and queue messages.
    assert maxmemory >= budget * 5 // 4 + 512 * UNITS["Mi"]
    assert byte_count(memory_limit) >= maxmemory + UNITS["Gi"]


def test_redis_memory_holds_the_image_budget():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    holds_the_image_budget({k: str(v) for k, v in services["api"]["environment"].items()},
                           services["redis"]["command"], services["redis"]["deploy"]["resources"]["limits"]["memory"])
    (api,) = containers("Deployment", "ocrq-api")
    (redis,) = containers("StatefulSet", "ocrq-redis")
    holds_the_image_budget(as_env(api["env"]), redis["args"], redis["resources"]["limits"]["memory"])


def test_keda_scales_the_workers_on_the_real_queues():
    (scaled,) = by_kind("ScaledObject")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "ocrq-worker"
    assert any(d["metadata"]["name"] == "ocrq-worker" for d in by_kind("Deployment"))
    # /readyz (the API's readiness) wants a live worker: scaling to zero would take the API out too.
    low, high = scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]
    assert low >= 1 and high > low
    triggers = scaled["spec"]["triggers"]
    assert all(t["type"] == "redis" for t in triggers)
    assert sorted(t["metadata"]["listName"] for t in triggers) == sorted(QUEUES)
    (worker,) = containers("Deployment", "ocrq-worker")
    broker = urlsplit(as_env(worker["env"])["REDIS_URL"])
    (auth,) = by_kind("TriggerAuthentication")
    for trigger in triggers:
        # The lists are in the broker's database, on the workers' Redis, with its password.
        assert trigger["metadata"]["address"] == f"{broker.hostname}:{broker.port}"
        assert trigger["metadata"]["databaseIndex"] == broker.path.strip("/")
        assert int(trigger["metadata"]["listLength"]) > 0
        assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
    assert auth["spec"]["secretTargetRef"] == [{"parameter": "password", **REDIS_SECRET}]


REDIS_SECRET = {"name": "ocrq-redis", "key": "password"}


def test_kubernetes_files_validate_against_the_kubernetes_schemas():
    """Every object of a built-in kind, strictly (no unknown field), against the oldest and the newest schemas
    kubernetes-validate ships (offline); KEDA's custom resources have no schema there."""
    shipped = sorted(set(kubernetes_validate.utils.all_versions()), key=lambda v: tuple(map(int, v.split("."))))
    versions = (shipped[0], shipped[-1])
    unchecked = set()
    for filename, doc in kubernetes_documents():
        for version in versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                unchecked.add((doc["apiVersion"], doc["kind"]))
            except kubernetes_validate.ValidationError as error:
                raise AssertionError(f"{filename} {doc['kind']}/{doc['metadata']['name']} (Kubernetes {version}): "
                                     f"{error.message} at {list(error.path)}") from None
    assert unchecked == {("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication")}


def test_every_kubernetes_container_runs_restricted():
    for name, pod, container in pod_containers():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["capabilities"]["drop"] == ["ALL"] and "add" not in context["capabilities"], name
        assert context["readOnlyRootFilesystem"] is True, name
        # What is written goes to a volume: the application's /tmp and home (OCR_DATA_DIR), Redis's /data.
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert mounts >= ({"/data"} if name == "ocrq-redis" else {"/tmp", "/var/lib/ocrq"}), name
    for name in ("ocrq-api", "ocrq-worker"):
        (doc,) = [d for d in by_kind("Deployment") if d["metadata"]["name"] == name]
        volumes = {v["name"]: v for v in doc["spec"]["template"]["spec"]["volumes"]}
        assert all("emptyDir" in volumes[m["name"]] for m in containers("Deployment", name)[0]["volumeMounts"])


def test_redis_password_comes_from_a_secret():
    (redis,) = containers("StatefulSet", "ocrq-redis")
    env = {item["name"]: item for item in redis["env"]}
    for name in ("REDIS_PASSWORD", "REDISCLI_AUTH"):  # redis-server's --requirepass, and the probes' redis-cli
        assert env[name]["valueFrom"]["secretKeyRef"] == REDIS_SECRET
    args = redis["args"]
    assert args[args.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    for name in ("ocrq-api", "ocrq-worker"):
        (container,) = containers("Deployment", name)
        names = [item["name"] for item in container["env"]]
        secret = container["env"][names.index("REDIS_PASSWORD")]
        assert secret["valueFrom"]["secretKeyRef"] == REDIS_SECRET
        # Kubernetes fills in $(NAME) only from a variable listed before.
        assert names.index("REDIS_PASSWORD") < names.index("REDIS_URL")
        assert urlsplit(as_env(container["env"])["REDIS_URL"]).password == "$(REDIS_PASSWORD)"
    assert not by_kind("Secret"), "no password in the files: the operator makes the Secret"


def test_the_workers_have_a_disruption_budget_and_a_liveness_probe_on_their_heartbeat():
    (budget,) = by_kind("PodDisruptionBudget")
    (worker_deployment,) = [d for d in by_kind("Deployment") if d["metadata"]["name"] == "ocrq-worker"]
    assert budget["spec"]["selector"] == worker_deployment["spec"]["selector"]
    # Not minAvailable: KEDA's minimum is one pod, which a budget keeping one would make undrainable.
    assert budget["spec"]["maxUnavailable"] >= 1 and "minAvailable" not in budget["spec"]
    (worker,) = containers("Deployment", "ocrq-worker")
    for probe in ("startupProbe", "livenessProbe"):
        assert worker[probe]["exec"]["command"] == ["ocrq-healthcheck", "worker"]
    live = worker["livenessProbe"]
    # A restart only after a Redis restart's wait: a running job waits 60 s for Redis to store its result.
    assert live["periodSeconds"] * live["failureThreshold"] > 60
    (api,) = containers("Deployment", "ocrq-api")
    assert byte_count(api["resources"]["limits"]["memory"]) > 0 and api["resources"]["limits"]["cpu"]


def load_healthcheck():
    loader = importlib.machinery.SourceFileLoader("ocrq_healthcheck", str(HEALTHCHECK))
    spec = importlib.util.spec_from_loader("ocrq_healthcheck", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_worker_health_check_wants_a_fresh_heartbeat_of_its_own_host(monkeypatch, capsys):
    health = load_healthcheck()
    client = fakeredis.FakeRedis()
    monkeypatch.setattr("workers.connections.get_redis", lambda url, master="mymaster": client)
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    host = socket.gethostname()
    assert health.main(["worker"]) == 1 and "no heartbeat of a worker" in capsys.readouterr().out
    client.zadd(WORKERS_KEY, {f"ocrq-1@{host}:1": time.time() - 60, f"ocrq-1@{host}x:1": time.time()})
    assert health.main(["worker"]) == 1  # its own too old, another host's fresh
    client.zadd(WORKERS_KEY, {f"ocrq-1@{host}:1": time.time()})
    assert health.main(["worker"]) == 0
    monkeypatch.delenv("REDIS_URL")
    assert health.main(["worker"]) == 1 and "REDIS_URL" in capsys.readouterr().out
    assert health.main([]) == 2


def test_the_api_health_check_asks_healthz(monkeypatch):
    health = load_healthcheck()
    monkeypatch.setenv("OCR_PORT", "1")  # nothing listens there
    assert health.check_api().startswith("http://127.0.0.1:1/healthz")
    routes = {rule.rule for rule in create_app(Settings.from_env({})).url_map.iter_rules()}
    assert "/healthz" in routes
