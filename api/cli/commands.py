"""`ocrq`, the command line: run the API and workers, manage apps, recognise a file in-process."""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import redis

from api.cli.launcher import read_running, remove_running, write_running
from api.settings import Settings, get_settings, readme_table

DEFAULT_API = "http://127.0.0.1:8080"


class CliError(Exception):
    """What went wrong and what to do about it, said in one line; `code` is the exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("ocrq")
    except PackageNotFoundError:
        return "(not installed: run from a source tree)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ocrq", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start Redis (when REDIS_URL is unset), one worker process per core and the API")
    sub.add_parser("api", help="serve the HTTP API (gunicorn)")
    worker = sub.add_parser("worker", help="run a Celery worker on both queues, interactive first")
    worker.add_argument("--concurrency", type=int, default=None, help="processes (default: OCR_WORKER_CONCURRENCY or cores)")
    worker.add_argument("--name", default=None, help="worker node name (default: ocrq-<pid>@<host>)")
    apps = sub.add_parser("apps", help="create, list or revoke apps (APPCODEs, app keys and secrets); uses "
                                       "REDIS_URL, else the Redis of the `ocrq up` running in OCR_DATA_DIR")
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
    settings = sub.add_parser("settings", help="show each setting's value in effect beside its default")
    settings.add_argument("--markdown", action="store_true", help="print the README's table of defaults instead")
    ingest = sub.add_parser("ingest", help="send files, folders, globs or CSV manifests to a server's bulk queue")
    ingest.add_argument("paths", nargs="+", help="files, folders, globs, or .csv manifests (path, service, configure)")
    ingest.add_argument("--service", default="ocr_general")
    ingest.add_argument("--configure", default="{}", help="JSON object")
    ingest.add_argument("--out", default="results.jsonl", help="JSON lines; also what a second run resumes from")
    ingest.add_argument("--api", default=None, help=f"default: OCRQ_API, or the API of the `ocrq up` running in "
                                                    f"OCR_DATA_DIR, or {DEFAULT_API}")
    ingest.add_argument("--appcode", default=os.environ.get("OCRQ_APPCODE"), help="default: OCRQ_APPCODE, or the one of `ocrq up`")
    ingest.add_argument("--rate", type=float, default=None, help="calls per second (default: OCR_RATE_LIMIT)")
    ingest.add_argument("--window", type=int, default=32, help="jobs in flight at once")
    ingest.add_argument("--job-timeout", type=float, default=3600.0,
                        help="seconds after which a job with no result fails (and is sent again on the next run)")
    ingest.add_argument("--give-up-after", type=float, default=120.0, metavar="SECONDS",
                        help="stop the run when the server has not answered for this long (default: 120)")
    ingest.add_argument("--retry-failed", action="store_true",
                        help="send again inputs the server refused for good on an earlier run (462 undecodable, "
                             "460/461/463, 413); other failures are always sent again")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        try:
            get_settings()
        except ValueError as exc:  # a setting that does not parse, such as OCR_PORT=x
            raise CliError(str(exc)) from None
        code = COMMANDS[args.command](args)
        sys.stdout.flush()
        return code
    except CliError as exc:
        print(f"ocrq {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except redis.RedisError as exc:
        print(f"ocrq {args.command}: Redis failed: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`ocrq settings | head`): stop quietly, and keep the interpreter's last
        # flush of stdout from complaining too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a process killed by SIGPIPE
    except KeyboardInterrupt:
        print(f"ocrq {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the file system or the network said no: a port in use, a folder not writable
        print(f"ocrq {args.command}: {exc}", file=sys.stderr)
        return 1


def _redact(url: str) -> str:
    """A Redis URL fit to print: its password hidden."""
    return re.sub(r"(://[^:/@;]*:)[^@/;]+@", r"\1***@", url)


def _redis_settings(settings: Settings) -> tuple[Settings, str]:
    """`settings` with the Redis to use, and where that Redis came from, for messages.

    REDIS_URL when set; else the Redis of the `ocrq up` running in the data folder (it notes it there);
    else the default URL."""
    if settings.redis_url:
        return settings, "REDIS_URL"
    data_dir = Path(settings.data_dir).resolve()
    up = read_running(data_dir)
    if up is not None and up.redis_url:
        return replace(settings, redis_url=up.redis_url), f"ocrq up, pid {up.pid}, in {data_dir}"
    if up is not None:
        return settings, (f"the default; the `ocrq up` running in {data_dir} (pid {up.pid}) was given a REDIS_URL: "
                          "set the same one here")
    return settings, f"the default: REDIS_URL is unset and no `ocrq up` runs in {data_dir} (OCR_DATA_DIR)"


def _redis(settings: Settings) -> redis.Redis:
    """The Redis of `_redis_settings`, once it answered; CliError saying what to do when it does not."""
    from workers.connections import get_redis
    settings, source = _redis_settings(settings)
    try:
        client = get_redis(settings.broker_url, settings.sentinel_master)
    except ValueError as exc:  # a Sentinel URL that does not parse
        raise CliError(f"{exc} ({source})") from None
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        if source == "REDIS_URL":
            todo = "check that this Redis runs, or fix REDIS_URL"
        elif source.startswith("ocrq up"):
            todo = "that `ocrq up` seems stuck: restart it (`make run`), or set REDIS_URL"
        else:
            todo = "start `ocrq up` (`make run`) in this folder, or set OCR_DATA_DIR to its data folder, or set REDIS_URL"
        raise CliError(f"cannot reach Redis at {_redact(settings.broker_url)} ({source}): {str(exc).rstrip('.')}; "
                       f"{todo}") from None
    return client


def cmd_settings(args) -> int:
    if args.markdown:
        print(readme_table())
        return 0
    settings, source = _redis_settings(get_settings())
    values, defaults = settings.to_env(), Settings().to_env()
    rows = [("variable", "value", "default", "set by")]
    for name, value in values.items():
        by = "environment" if os.environ.get(name) else ""
        if name == "REDIS_URL":
            value = _redact(value) if value else "(unset)"
            by = "environment" if source == "REDIS_URL" else (source if source.startswith("ocrq up") else "")
        rows.append((name, value, defaults[name] or "(unset)", by))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]).rstrip())
    print("\n(`ocrq settings --markdown`: the table of defaults with each setting's meaning)")
    return 0


def cmd_ingest(args) -> int:
    from api.cli.ingest import Client, InputError, check_service, ingest, parse_configure, walk
    settings = get_settings()
    data_dir = Path(settings.data_dir)
    up = read_running(data_dir)
    api = args.api or os.environ.get("OCRQ_API") or (up.api_url if up is not None and up.api_url else DEFAULT_API)
    code = args.appcode or ((data_dir / "appcode").read_text().strip() if (data_dir / "appcode").exists() else None)
    if not code:
        raise CliError("no APPCODE: pass --appcode or set OCRQ_APPCODE (beside `ocrq up`, its own is used)")
    try:
        check_service(args.service, "--service: ")
        items = list(walk(args.paths, args.service, parse_configure(args.configure, "--configure")))
    except InputError as exc:
        raise CliError(str(exc)) from None
    client = Client(api, code, rate=args.rate or settings.rate_limit, give_up_after=args.give_up_after)
    summary = ingest(items, client, Path(args.out), window=args.window, job_timeout=args.job_timeout,
                     retry_failed=args.retry_failed)
    print(summary, flush=True)
    if summary.interrupted:
        print(f"ocrq ingest: interrupted; every result so far is in {args.out}: run the same command again to "
              "go on", file=sys.stderr)
    elif summary.stopped:
        print(f"ocrq ingest: stopped: {summary.stopped}", file=sys.stderr)
    return summary.exit_code


def cmd_recognize(args) -> int:
    from api.cli.ingest import InputError, check_service, parse_configure
    try:
        check_service(args.service)
        configure = parse_configure(args.configure, "--configure")
    except InputError as exc:
        raise CliError(str(exc)) from None
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    import ocr_core
    from ocr_core.errors import ServiceError
    try:
        result = ocr_core.recognize(args.service, data, configure)
    except ServiceError as exc:
        print(json.dumps({"success": False, "error_code": exc.code, "error_msg": exc.error_msg}, ensure_ascii=False))
        return 1
    print(json.dumps({**result, "success": True}, ensure_ascii=False, indent=2))
    return 0


def cmd_apps(args) -> int:
    from api.apps import AppStore
    store = AppStore(_redis(get_settings()))
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
    from api.server import LIMIT_REQUEST_FIELD_SIZE, LIMIT_REQUEST_LINE
    settings = get_settings()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.api_processes,
                # gthread, whose own refusals (past the limits below) answer the contract's JSON, not HTML.
                "worker_class": "api.server.JsonErrorThreadWorker",
                "threads": settings.api_threads,
                # Above the app's own bounds (api.app: 4094, 8190), so that the app answers 414 and 431.
                "limit_request_line": LIMIT_REQUEST_LINE,
                "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
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
    return [sys.executable, "-m", "celery", "-A", "workers.worker", "worker",
            "-Q", "interactive,bulk", "--concurrency", str(concurrency), "--loglevel", "INFO",
            "-n", name or f"ocrq-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]


def cmd_worker(args) -> int:
    os.execv(sys.executable, worker_command(args.concurrency, args.name))


def _local_appcode(settings: Settings, data_dir: Path) -> str:
    """The APPCODE `ocrq up` prints: kept in the data folder so that it stays the same across restarts."""
    from api.apps import AppStore
    from api.errors import Forbidden
    store = AppStore(_redis(settings))
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
    """Redis (unless REDIS_URL), one worker and the API, each started again when it ends (with backoff, one
    line in the log for each restart) until Ctrl-C or SIGTERM; then all are stopped and the note removed."""
    from api.cli.launcher import Supervisor, start_redis
    settings = get_settings()
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    other = read_running(data_dir)
    if other is not None:
        raise CliError(f"`ocrq up` already runs in {data_dir.resolve()} (pid {other.pid}, {other.api_url}); "
                       "stop it first, or set OCR_DATA_DIR to another folder")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C stops it even when started with SIGINT ignored (as `cmd &` in a script starts it), or its
    # children, stopped by the terminal's SIGINT to the whole group, would be started again.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    log = open(data_dir / "ocrq.log", "ab")

    def say(line: str) -> None:
        """A line of `ocrq up`'s own: on its stderr and in the log beside its children's."""
        line = f"ocrq up {time.strftime('%Y-%m-%d %H:%M:%S')}: {line}"
        print(line, file=sys.stderr, flush=True)
        log.write(line.encode() + b"\n")
        log.flush()

    supervisor = Supervisor(say)
    try:
        own_redis = None
        if not settings.redis_url:
            try:
                server = start_redis(data_dir / "redis", port=6399)
            except RuntimeError as exc:  # not installed, or it would not start: its log's end is in the message
                raise CliError(f"{exc} (or set REDIS_URL to a Redis of your own)", code=1) from None
            # Started again on the same port and files: the append-only file gives back every accepted job,
            # and the API and workers reconnect to the same address.
            supervisor.add("redis", lambda: start_redis(server.dir, port=server.port, exact_port=True).process,
                           process=server.process)
            settings, own_redis = replace(settings, redis_url=server.url), server.url
        url = f"http://{settings.host}:{settings.port}"
        # Other commands run in this folder (`ocrq apps`, `ocrq ingest`) find this Redis and API by it.
        write_running(data_dir, redis_url=own_redis, api_url=url)
        env = {**os.environ, **settings.to_env()}
        os.environ.update(settings.to_env())
        get_settings.cache_clear()

        code = _local_appcode(settings, data_dir)
        sample = Path(__file__).parent.parent / "static" / "sample.png"
        request_file = data_dir / "sample-request.json"
        import base64
        request_file.write_text(json.dumps({"image": base64.b64encode(sample.read_bytes()).decode(),
                                            "configure": {"output_prob": True}}))

        def spawn(command: list[str]):
            return lambda: subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        supervisor.add("worker", spawn(worker_command()))
        supervisor.add("api", spawn([sys.executable, "-m", "api.cli", "api"]))

        # Until it first answers, a child that ends is a failure to start (a port in use, a broken setting),
        # said at once rather than tried again and again.
        if not _wait_ready(url, supervisor.all_running):
            print(f"the service did not become ready; see {data_dir / 'ocrq.log'}", file=sys.stderr)
            return 1
        print(f"""
ocrq is running at {url}   (Redis: {_redact(settings.broker_url)}; logs: {data_dir / 'ocrq.log'})
APPCODE: {code}

Try it:
  curl -s -X POST {url}/api/predict/ocr_general -H 'Authorization: APPCODE {code}' --data-binary @{request_file}

Stop with Ctrl-C.""", flush=True)
        supervisor.run()
        return 0  # not reached: only Ctrl-C or SIGTERM end it
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        # A second signal must not cut the stopping short and leave children behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.stop()
        remove_running(data_dir)
        log.close()


def _wait_ready(url: str, running, timeout: float = 60) -> bool:
    import urllib.error
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running():
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass  # not up yet
        time.sleep(0.5)
    return False


COMMANDS = {"up": cmd_up, "api": cmd_api, "worker": cmd_worker, "apps": cmd_apps,
            "recognize": cmd_recognize, "settings": cmd_settings, "ingest": cmd_ingest}

