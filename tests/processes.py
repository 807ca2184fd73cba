"""Helpers for tests that start real processes (a worker, beat, a web server, Redis) and
make faults happen to them: a lock the test holds, a process group killed with SIGKILL."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The ports this project's tests may bind for servers they start themselves.
OWN_PORTS = range(18100, 18200)


def wait_for(check: Callable[[], Any], what: str, log: Path, timeout: float = 90.0) -> Any:
    """Poll ``check`` until it returns something true; on time-out fail with the log's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"Timed out waiting for {what}; log:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    """Terminate a process started by a test, and kill it if it will not go."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and every child of its group (started with a new session): what a
    machine that loses power or an OOM killer does to a worker, with no chance to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def free_port(ports: range = OWN_PORTS) -> int:
    """A port of ``ports`` that nothing listens on now."""
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports}")


def listening(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing listens on port {port} after {seconds}s")


def database_url() -> str:
    """The URL of the test's own database (pytest-django's ``test_...``), for a child process."""
    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a worker or web server on the test's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "EMAIL_BACKEND")}
    env.update(DJANGO_SETTINGS_MODULE="creditcontrol.settings", DATABASE_URL=database_url(),
               **extra)  # fmt: skip
    return env


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A private redis-server on one of our ports (never the shared one); yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        listening(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


def celery_worker(env: dict[str, str], log: Path, name: str) -> subprocess.Popen:
    """A real Celery worker (one process: the solo pool) in a process group of its own."""
    with log.open("a") as out:
        return subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "creditcontrol", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"{name}-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def point_celery_at(url: str) -> Callable[[], None]:
    """Publish this process's tasks to the broker at ``url`` (not in-process); returns the
    function that puts it back."""
    from creditcontrol.celery import app

    before = app.conf.broker_url, app.conf.task_always_eager

    def forget() -> None:  # connections and producers of the previous broker are pooled
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = url, False
    forget()

    def restore() -> None:
        app.conf.broker_url, app.conf.task_always_eager = before
        forget()

    return restore


def backends_waiting_on(cursor: Any, table: str) -> list[int]:
    """The PostgreSQL backends of this database blocked on a lock while touching ``table``."""
    # Within a transaction pg_stat_activity is a snapshot taken once: take a fresh one.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE %s AND pid <> pg_backend_pid()",
        [f"%{table}%"],
    )
    return [row[0] for row in cursor.fetchall()]


def backends_gone(cursor: Any, pids: list[int]) -> bool:
    """True once none of ``pids`` is a PostgreSQL session any more."""
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
    return cursor.fetchone()[0] == 0


def own_connection() -> Any:
    """A psycopg2 connection of the test's own to its database (beside Django's), to hold
    locks that a worker's transaction will need."""
    import psycopg2
    from django.db import connection

    s = connection.settings_dict
    return psycopg2.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                            host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)  # fmt: skip
