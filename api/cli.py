"""`ocrq`, the command line: run the API and workers, manage apps, recognise a file in-process."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from ocr_core.settings import Settings, get_settings, settings_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ocrq", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start Redis (when REDIS_URL is unset), one worker process per core and the API")
    sub.add_parser("api", help="serve the HTTP API (gunicorn)")
    worker = sub.add_parser("worker", help="run a Celery worker on both queues, interactive first")
    worker.add_argument("--concurrency", type=int, default=None, help="processes (default: OCR_WORKER_CONCURRENCY or cores)")
    worker.add_argument("--name", default=None, help="worker node name (default: ocrq-<pid>@<host>)")
    apps = sub.add_parser("apps", help="create, list or revoke apps (APPCODEs, app keys and secrets)")
    apps_sub = apps.add_subparsers(dest="apps_command", required=True)
    create = apps_sub.add_parser("create")
    create.add_argument("name")
    create.add_argument("--quota", type=int, default=None, help="calls allowed in all (default: unlimited)")
    apps_sub.add_parser("list")
    key = apps_sub.add_parser("key", help="give an app a new app key and secret (the old ones stop working)")
    key.add_argument("app_id")
    revoke = apps_sub.add_parser("revoke")
    revoke.add_argument("app_id")
    rec = sub.add_parser("recognize", help="recognise a picture in this process (no Redis) and print JSON")
    rec.add_argument("file")
    rec.add_argument("--service", default="ocr_general")
    rec.add_argument("--configure", default="{}", help="JSON object")
    sub.add_parser("settings", help="print the settings table (Markdown)")
    ingest = sub.add_parser("ingest", help="send files, folders, globs or CSV manifests to a server's bulk queue")
    ingest.add_argument("paths", nargs="+", help="files, folders, globs, or .csv manifests (path, service, configure)")
    ingest.add_argument("--service", default="ocr_general")
    ingest.add_argument("--configure", default="{}", help="JSON object")
    ingest.add_argument("--out", default="results.jsonl", help="JSON lines; also what a second run resumes from")
    ingest.add_argument("--api", default=os.environ.get("OCRQ_API", "http://127.0.0.1:8080"))
    ingest.add_argument("--appcode", default=os.environ.get("OCRQ_APPCODE"), help="default: OCRQ_APPCODE, or the one of `ocrq up`")
    ingest.add_argument("--rate", type=float, default=None, help="calls per second (default: OCR_RATE_LIMIT)")
    ingest.add_argument("--window", type=int, default=32, help="jobs in flight at once")
    ingest.add_argument("--job-timeout", type=float, default=3600.0,
                        help="seconds after which a job with no result fails (and is sent again on the next run)")

    args = parser.parse_args(argv)
    return COMMANDS[args.command](args)


def cmd_settings(args) -> int:
    print(settings_table())
    return 0


def cmd_ingest(args) -> int:
    from api.ingest import Client, ingest, walk
    code = args.appcode or ((Path(get_settings().data_dir) / "appcode").read_text().strip()
                            if (Path(get_settings().data_dir) / "appcode").exists() else None)
    if not code:
        print("no APPCODE: pass --appcode or set OCRQ_APPCODE", file=sys.stderr)
        return 2
    items = list(walk(args.paths, args.service, json.loads(args.configure)))
    client = Client(args.api, code, rate=args.rate or get_settings().rate_limit)
    summary = ingest(items, client, Path(args.out), window=args.window, job_timeout=args.job_timeout)
    print(summary)
    return 1 if summary.failed else 0


def cmd_recognize(args) -> int:
    import ocr_core
    from ocr_core.errors import ServiceError
    try:
        result = ocr_core.recognize(args.service, Path(args.file).read_bytes(), json.loads(args.configure))
    except ServiceError as exc:
        print(json.dumps({"success": False, "error_code": exc.code, "error_msg": exc.error_msg}, ensure_ascii=False))
        return 1
    print(json.dumps({**result, "success": True}, ensure_ascii=False, indent=2))
    return 0


def cmd_apps(args) -> int:
    from api.apps import AppStore
    from workers.connections import get_redis
    settings = get_settings()
    store = AppStore(get_redis(settings.broker_url, settings.sentinel_master))
    if args.apps_command == "create":
        app, code = store.create(args.name, args.quota)
        app_key, app_secret = store.key_and_secret(app.app_id)
        print(f"app_id    {app.app_id}\nAPPCODE   {code}\nAppKey    {app_key}\nAppSecret {app_secret}\n"
              "(the APPCODE is shown once, only its hash is stored; the AppSecret signs calls: keep it secret)")
    elif args.apps_command == "key":
        pair = store.new_key(args.app_id)
        if pair is None:
            print(f"no app {args.app_id}", file=sys.stderr)
            return 1
        print(f"AppKey    {pair[0]}\nAppSecret {pair[1]}")
    elif args.apps_command == "list":
        print(f"{'app_id':<18}{'name':<24}{'used':>8}{'quota':>10}  {'app_key':<18}status")
        for app in store.list():
            quota = "-" if app.quota is None else str(app.quota)
            print(f"{app.app_id:<18}{app.name:<24}{app.used:>8}{quota:>10}  {app.app_key or '-':<18}"
                  f"{'revoked' if app.revoked else 'active'}")
    elif not store.revoke(args.app_id):
        print(f"no app {args.app_id}", file=sys.stderr)
        return 1
    return 0


def cmd_api(args) -> int:
    from gunicorn.app.base import BaseApplication

    from api.app import create_app
    settings = get_settings()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.api_processes,
                "worker_class": "gthread",
                "threads": settings.api_threads,
                # A sync call may wait `sync_timeout` for its job.
                "timeout": int(settings.sync_timeout) + 30,
                "accesslog": None,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(settings)

    Server().run()
    return 0


def worker_command(concurrency: int | None = None, name: str | None = None) -> list[str]:
    settings = get_settings()
    concurrency = concurrency or settings.worker_concurrency or os.cpu_count() or 1
    return [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
            "-Q", "interactive,bulk", "--concurrency", str(concurrency), "--loglevel", "INFO",
            "-n", name or f"ocrq-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]


def cmd_worker(args) -> int:
    os.execv(sys.executable, worker_command(args.concurrency, args.name))


def _local_appcode(settings: Settings, data_dir: Path) -> str:
    """The APPCODE `ocrq up` prints: kept in the data folder so that it stays the same across restarts."""
    from api.apps import AppStore
    from ocr_core.errors import Forbidden
    from workers.connections import get_redis
    store = AppStore(get_redis(settings.broker_url, settings.sentinel_master))
    path = data_dir / "appcode"
    if path.exists():
        code = path.read_text().strip()
        try:
            store.authenticate(f"APPCODE {code}")
            return code
        except Forbidden:
            pass  # revoked, or unknown to this Redis: make a new one
    _, code = store.create("local (ocrq up)")
    path.write_text(code + "\n")
    path.chmod(0o600)
    return code


def cmd_up(args) -> int:
    settings = get_settings()
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen] = []
    if not settings.redis_url:
        from api.local_redis import start_redis
        server = start_redis(data_dir / "redis", port=6399)
        children.append(server.process)
        settings = replace(settings, redis_url=server.url)
    env = {**os.environ, **settings.to_env()}
    os.environ.update(settings.to_env())
    get_settings.cache_clear()

    code = _local_appcode(settings, data_dir)
    sample = Path(__file__).parent / "static" / "sample.png"
    request_file = data_dir / "sample-request.json"
    import base64
    request_file.write_text(json.dumps({"image": base64.b64encode(sample.read_bytes()).decode(),
                                        "configure": {"output_prob": True}}))

    log = open(data_dir / "ocrq.log", "ab")
    children.append(subprocess.Popen(worker_command(), env=env, stdout=log, stderr=subprocess.STDOUT))
    children.append(subprocess.Popen([sys.executable, "-m", "api.cli", "api"], env=env, stdout=log, stderr=subprocess.STDOUT))

    url = f"http://{settings.host}:{settings.port}"
    if not _wait_ready(url, children):
        print(f"the service did not become ready; see {data_dir / 'ocrq.log'}", file=sys.stderr)
        _stop(children)
        return 1
    print(f"""
ocrq is running at {url}   (Redis: {settings.broker_url}; logs: {data_dir / 'ocrq.log'})
APPCODE: {code}

Try it:
  curl -s -X POST {url}/api/predict/ocr_general -H 'Authorization: APPCODE {code}' --data-binary @{request_file}

Stop with Ctrl-C.""", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in children):
            time.sleep(1)
        print("a process ended; stopping", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        _stop(children)


def _wait_ready(url: str, children: list[subprocess.Popen], timeout: float = 60) -> bool:
    import urllib.error
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in children):
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass  # not up yet
        time.sleep(0.5)
    return False


def _stop(children: list[subprocess.Popen]) -> None:
    for p in reversed(children):
        if p.poll() is None:
            p.terminate()
    for p in reversed(children):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


COMMANDS = {"up": cmd_up, "api": cmd_api, "worker": cmd_worker, "apps": cmd_apps,
            "recognize": cmd_recognize, "settings": cmd_settings, "ingest": cmd_ingest}

if __name__ == "__main__":
    sys.exit(main())
