"""Run the production stack on this machine: PostgreSQL + Redis, gunicorn, several qclusters.

    python -m deploy.stack            # what `make serve-prod` runs

Steps: create the database if missing, migrate (which registers the scheduled jobs once),
collectstatic, then start gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1:8001, N `manage.py
qcluster` processes and, when EMAIL_URL is not set, a local SMTP sink on 127.0.0.1:8025 (messages
logged to var/serve-prod/smtp-sink.jsonl). Ctrl-C stops every process group it started.

Each child runs in its own process group so one qcluster can be killed (`make loadtest` kills one
with SIGKILL mid-run) without touching the others. Environment variables that are already set win
over the defaults here, as they would in production (see docs/deploy.md), except for the load
test, which forces its own throw-away database.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


@dataclass
class StackConfig:
    name: str = "serve-prod"
    database: str = "learning_loop_prod"
    pg_server: str = PG_SERVER
    redis_url: str = "redis://127.0.0.1:6379/1"
    host: str = "127.0.0.1"
    port: int = 8001
    web_workers: int = 4
    qclusters: int = 2
    q_workers: int = 2  # worker processes inside each qcluster
    # Workers yield the CPU to the web tier (as deploy/systemd's Nice=10): background emails
    # must not slow the pages of a booking rush on a shared machine.
    worker_nice: int = 10
    smtp_port: int = 8025
    fresh: bool = False  # drop and recreate the database, empty the Redis db
    respect_env: bool = True  # variables already in the environment win
    quiet: bool = False  # children's output to log files instead of the terminal
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        return BASE_DIR / "var" / self.name

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def sink_log(self) -> Path:
        return self.log_dir / "smtp-sink.jsonl"


def _secret_key(path: Path) -> str:
    """A per-machine key kept in var/ so sessions survive a restart of the local stack."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Stack:
    """Start, watch and stop the processes of one local production-like stack."""

    def __init__(self, config: StackConfig):
        self.config = config
        self.procs: dict[str, subprocess.Popen] = {}
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        # var/ holds logs, the local secret key and the sink's log: never for git.
        ignore = self.config.log_dir.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        self.env = self._build_env()
        self.uses_sink = not self.env.get("EMAIL_URL")

    # --- environment -----------------------------------------------------------------------

    def _build_env(self) -> dict[str, str]:
        c = self.config
        defaults = {
            "DATABASE_URL": f"{c.pg_server}/{c.database}",
            "REDIS_URL": c.redis_url,
            "DEBUG": "false",
            "SECRET_KEY": _secret_key(c.log_dir / "secret_key"),
            "ALLOWED_HOSTS": f"{c.host},localhost",
            "SITE_URL": c.base_url,
            "CONN_MAX_AGE": "60",
            "Q_WORKERS": str(c.q_workers),
            "Q_SYNC": "false",
            "GUNICORN_BIND": f"{c.host}:{c.port}",
            "WEB_CONCURRENCY": str(c.web_workers),
            "MPLBACKEND": "Agg",
        }
        env = dict(os.environ)
        for key, value in defaults.items():
            if c.respect_env:
                env.setdefault(key, value)
            else:
                env[key] = value
        if not env.get("EMAIL_URL"):
            # No relay given: everything goes to the local sink.
            env["EMAIL_HOST"] = c.host
            env["EMAIL_PORT"] = str(c.smtp_port)
        env.update(c.extra_env)
        env.pop("PYTEST_CURRENT_TEST", None)
        return env

    # --- one-off steps ---------------------------------------------------------------------

    def ensure_database(self) -> None:
        """Create the database if it is missing (drop it first when `fresh`)."""
        import psycopg
        from psycopg import sql

        c = self.config
        with psycopg.connect(f"{c.pg_server}/postgres", autocommit=True) as conn:
            if c.fresh:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(c.database)
                    )
                )
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [c.database]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(c.database)))
                self.log(f"created database {c.database}")

    def empty_redis(self) -> None:
        """Empty this stack's own Redis database (queued tasks and cache of an earlier run)."""
        import redis

        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()

    def manage(self, *args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=self.env, check=True)

    def prepare(self) -> None:
        self.ensure_database()
        if self.config.fresh:
            self.empty_redis()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")

    # --- processes -------------------------------------------------------------------------

    def log(self, message: str) -> None:
        print(f"[{self.config.name}] {message}", flush=True)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        out = None
        if self.config.quiet:
            out = open(self.config.log_dir / f"{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            process_group=0,  # its own group: we can stop (or kill) it and all its children
        )
        self.procs[name] = proc
        return proc

    def start_sink(self) -> None:
        self._spawn(
            "smtp-sink",
            [
                PY,
                "-m",
                "loadtest.smtp_sink",
                "--host",
                self.config.host,
                "--port",
                str(self.config.smtp_port),
                "--log",
                str(self.config.sink_log),
                *([] if self.config.quiet else ["--echo", "--bodies"]),
            ],
        )

    def start_web(self) -> None:
        self._spawn(
            "web",
            [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"],
        )

    def start_qcluster(self, number: int) -> subprocess.Popen:
        nice = ["nice", "-n", str(self.config.worker_nice)] if self.config.worker_nice else []
        return self._spawn(f"qcluster-{number}", [*nice, PY, "manage.py", "qcluster"])

    def start(self) -> None:
        if self.uses_sink:
            self.start_sink()
        self.start_web()
        for number in range(1, self.config.qclusters + 1):
            self.start_qcluster(number)
        self.wait_ready()

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        url = self.config.base_url + "/"
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode} while starting")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")

    def signal_group(self, name: str, sig: int) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop_one(self, name: str, *, grace: float = 15) -> None:
        proc = self.procs.get(name)
        if proc is None:
            return
        self.signal_group(name, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal_group(name, signal.SIGKILL)
            proc.wait(timeout=5)
        # Leftover children of the group (e.g. qcluster workers) go too.
        self.signal_group(name, signal.SIGKILL)

    def stop(self) -> None:
        # Web first (no new work), then the workers together (each finishes what it holds),
        # then the sink that may still be receiving their emails.
        self.stop_one("web")
        workers = [n for n in self.procs if n.startswith("qcluster")]
        for name in workers:
            self.signal_group(name, signal.SIGTERM)
        for name in workers:
            self.stop_one(name, grace=20)
        self.stop_one("smtp-sink")
        self.procs.clear()

    def watch(self) -> int:
        """Block until Ctrl-C/SIGTERM or until a child dies; return an exit status."""
        stopping = False

        def _stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        while not stopping:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    self.log(f"{name} exited with {proc.returncode}; stopping the stack")
                    return 1
            time.sleep(0.5)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the production-like stack locally.")
    parser.add_argument("--database", default=os.environ.get("SERVE_PROD_DB", "learning_loop_prod"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVE_PROD_PORT", 8001)))
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--qclusters", type=int, default=2)
    parser.add_argument(
        "--redis-url", default=os.environ.get("SERVE_PROD_REDIS", "redis://127.0.0.1:6379/1")
    )
    args = parser.parse_args(argv)
    config = StackConfig(
        database=args.database,
        port=args.port,
        web_workers=args.web_workers,
        qclusters=args.qclusters,
        redis_url=args.redis_url,
    )
    stack = Stack(config)
    try:
        stack.prepare()
        stack.start()
        stack.log(f"Learning Loop on {config.base_url}  (Ctrl-C stops everything)")
        stack.log(f"database {stack.env['DATABASE_URL']}, Redis {stack.env['REDIS_URL']}")
        if stack.uses_sink:
            stack.log(f"emails go to the SMTP sink on 127.0.0.1:{config.smtp_port}")
            stack.log(f"and are logged (with their text) to {config.sink_log}")
        stack.log("sign-in codes and links: see that file, or set EMAIL_URL")
        return stack.watch()
    finally:
        stack.stop()
        stack.log("stopped")


if __name__ == "__main__":
    sys.exit(main())
