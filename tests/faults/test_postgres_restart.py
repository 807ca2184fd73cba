"""PostgreSQL restarted under load (issue 12, "fault tests"): gunicorn on a PostgreSQL
cluster the test creates itself on one of our ports (never the shared one) answers
requests throughout; while the database is down every page answers our 503 page and every
API call a JSON 503, at once and without a traceback; once it is back, requests succeed
again without restarting gunicorn. Then a quick restart while nobody is asking: each
worker's kept connection is broken, and its next request must still succeed
(``CONN_HEALTH_CHECKS``). Connection errors are mapped to 503 in one place,
``creditcontrol/outage.py``.

Needs the Debian PostgreSQL tools (pg_createcluster, pg_ctlcluster, pg_dropcluster) and
the rights to use them (root or postgres); skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories import CustomerFactory, EntryFactory
from tests.processes import ROOT, free_port, listening, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VERSION = "15"
# Its own name per run, so that two runs on one machine never touch each other's cluster.
CLUSTER = f"faults_pg_{os.getpid()}"
PASSWORD = "restart-pass-2026"
BOUND_SECONDS = 10  # no request may take longer, outage or not
THREADS = 4


def _tools_or_skip() -> None:
    missing = [t for t in ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_dump")
               if shutil.which(t) is None]  # fmt: skip
    if missing:
        pytest.skip(f"needs the Debian PostgreSQL tools: {', '.join(missing)} not found")
    if os.geteuid() != 0:
        pytest.skip("creating a PostgreSQL cluster needs root (pg_createcluster)")
    if not Path(f"/usr/lib/postgresql/{VERSION}/bin/initdb").exists():
        pytest.skip(f"needs PostgreSQL {VERSION}'s server binaries")


def _pg(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=120)


@pytest.fixture
def own_cluster():
    """A PostgreSQL cluster of the test's own, on one of our ports; dropped at the end."""
    _tools_or_skip()
    subprocess.run(["pg_dropcluster", "--stop", VERSION, CLUSTER], capture_output=True)
    port = free_port()
    # Listening on localhost (the default); trusted, as the shared cluster of the tests is.
    _pg("pg_createcluster", VERSION, CLUSTER, "-p", str(port), "-o", "fsync=off", "--",
        "--auth-host=trust", "--auth-local=trust")  # fmt: skip
    try:
        _pg("pg_ctlcluster", VERSION, CLUSTER, "start")
        yield port
    finally:
        subprocess.run(["pg_dropcluster", "--stop", VERSION, CLUSTER], capture_output=True)


@dataclass
class Answer:
    kind: str  # "page" or "api"
    started: float
    seconds: float
    status: int
    content_type: str
    body: str
    retry_after: str


def _copy_test_database(port: int) -> str:
    """The test's database (migrated, with this test's rows) copied into the own cluster."""
    s = connection.settings_dict
    source = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    target = f"postgres://postgres@127.0.0.1:{port}/creditcontrol"
    _pg("psql", f"postgres://postgres@127.0.0.1:{port}/postgres", "-c",
        "CREATE DATABASE creditcontrol")  # fmt: skip
    dump = subprocess.run(["pg_dump", "--no-owner", source], check=True, capture_output=True)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", target], input=dump.stdout,
                   check=True, capture_output=True)  # fmt: skip
    return target


def test_postgresql_restarted_under_load_fails_cleanly_and_recovers_without_restarting_the_app(
    own_cluster, company, controller, integrator, tmp_path
):
    controller.password = PBKDF2PasswordHasher().encode(PASSWORD, "restartsalt", iterations=1000)
    controller.save()
    token = Token.objects.create(user=integrator).key
    for n in range(5):
        EntryFactory(customer=CustomerFactory(company=company, account_code=f"R{n}"))
    url = _copy_test_database(own_cluster)

    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "SECRET_KEY": "restart-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
           "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
           "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING",
           "CELERY_FS_DIR": str(tmp_path / "celery")}  # fmt: skip
    env.pop("REDIS_URL", None)
    with log.open("w") as out:
        web = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "creditcontrol.wsgi", "--bind",
             f"127.0.0.1:{web_port}", "--workers", "2", "--timeout", "30"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    answers: list[Answer] = []
    done = threading.Event()
    try:
        listening(web_port, 60)
        browser = requests.Session()
        browser.get(f"{base}/login/", timeout=30)
        signed_in = browser.post(
            f"{base}/login/", timeout=30, allow_redirects=False,
            data={"username": controller.username, "password": PASSWORD,
                  "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": f"{base}/login/"},
        )  # fmt: skip
        assert signed_in.status_code == 302, signed_in.text[:500]
        cookies = browser.cookies.get_dict()

        def load(n: int) -> None:
            session = requests.Session()
            session.cookies.update(cookies)
            kind = "page" if n % 2 == 0 else "api"
            target = f"{base}/customers/" if kind == "page" else f"{base}/api/v1/customers/"
            headers = {} if kind == "page" else {"Authorization": f"Token {token}"}
            while not done.is_set():
                started = time.monotonic()
                try:
                    r = session.get(target, headers=headers, timeout=BOUND_SECONDS * 3,
                                    allow_redirects=False)  # fmt: skip
                    answer = Answer(kind, started, time.monotonic() - started, r.status_code,
                                    r.headers.get("Content-Type", ""), r.text[:3000],
                                    r.headers.get("Retry-After", ""))  # fmt: skip
                except requests.RequestException as error:
                    answer = Answer(
                        kind, started, time.monotonic() - started, 0, "", repr(error), ""
                    )
                answers.append(answer)
                time.sleep(0.05)

        threads = [threading.Thread(target=load, args=(n,), daemon=True) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        pids_before = _worker_pids(web.pid)

        stopped = time.monotonic()
        _pg("pg_ctlcluster", VERSION, CLUSTER, "stop", "-m", "fast")
        wait_for(lambda: sum(a.status == 503 and a.started > stopped for a in answers) >= 8,
                 "503s while PostgreSQL is down", log, timeout=30)  # fmt: skip
        _pg("pg_ctlcluster", VERSION, CLUSTER, "start")
        back = time.monotonic()
        time.sleep(4)
        done.set()
        for thread in threads:
            thread.join(timeout=BOUND_SECONDS * 4)
        # Restarted again while nobody is asking: every worker's kept connection is now
        # broken, and each worker's next request must still succeed.
        _pg("pg_ctlcluster", VERSION, CLUSTER, "restart", "-m", "fast")
        quiet = [browser.get(f"{base}/customers/", timeout=BOUND_SECONDS).status_code
                 if n % 2 == 0 else requests.get(f"{base}/api/v1/customers/", timeout=BOUND_SECONDS,
                                                 headers={"Authorization": f"Token {token}"}).status_code
                 for n in range(12)]  # fmt: skip
        assert quiet == [200] * 12
        assert _worker_pids(web.pid) == pids_before  # no gunicorn worker was restarted
    finally:
        done.set()
        stop(web)

    before = [a for a in answers if a.started + a.seconds < stopped]
    # In flight when PostgreSQL stopped, or sent while it was down.
    during = [a for a in answers if a.started < back and a.started + a.seconds >= stopped]
    after = [a for a in answers if a.started >= back]
    assert before and during and after
    assert {a.status for a in before} == {200}
    slowest = max(answers, key=lambda a: a.seconds)
    assert slowest.seconds < BOUND_SECONDS, slowest
    assert not [a for a in answers if a.status not in (200, 503)], [
        (a.kind, a.status, a.body[:300]) for a in answers if a.status not in (200, 503)
    ]
    for answer in (a for a in during if a.status == 503):
        assert answer.retry_after and "Traceback" not in answer.body
        if answer.kind == "page":
            assert answer.content_type.startswith("text/html")
            assert "temporarily unavailable" in answer.body
        else:
            assert answer.content_type == "application/json"
            assert "temporarily unavailable" in answer.body and '"errors"' in answer.body
    assert {(a.kind, a.status) for a in during if a.status == 503} == {("page", 503), ("api", 503)}
    # Back: every request succeeds, with the same gunicorn workers.
    assert {a.status for a in after} == {200}, [(a.kind, a.status, a.body[:300]) for a in after]
    assert "WORKER TIMEOUT" not in log.read_text()


def _worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return (
        {int(pid) for pid in re.findall(r"\d+", children.read_text())}
        if children.exists()
        else set()
    )
