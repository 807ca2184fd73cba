"""The embedded default behaves as production does, with no server to install.

Each test builds its own SQLite file database in a temporary folder (migrated once per
session, then copied) and starts the real processes a newcomer's `make demo` starts:

- a Celery worker with embedded beat on kombu's filesystem queue: the daily run comes
  from the schedule alone, breaks a promise whose date has passed, sends the automatic
  level once, and the next ticks send nothing;
- gunicorn with several threads: two people executing the same proposal at the same
  moment get 200 and 409, never a 500 "database is locked" (issue 11, defect 6).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import stop, wait_for

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SEED = r"""
import datetime as dt, json, sys
from decimal import Decimal
from django.utils import timezone
from rest_framework.authtoken.models import Token
from creditcontrol import roles
from communications.promises import promise_create
from followups.engine import run_followups
from followups.plans import plan_for
from ledger.models import Company, Contact, Customer, LedgerEntry
from tests.factories import EntryFactory, user_in

import os
mode = os.environ["SEED_MODE"]
company = Company.objects.create(code="EMB", name="Embedded Ltd", base_currency="GBP",
                                 time_zone="Europe/London", email="credit@embedded.example")
carol = user_in(company, roles.CONTROLLER, username="carol")
carol.set_password("demo-pass-2026"); carol.save()
plan = plan_for(company)
plan.run_at = dt.time(0, 0); plan.min_days_between = 0; plan.save()
today = company.today()
def customer(code, email):
    c = Customer.objects.create(company=company, account_code=code, name=f"{code} Ltd",
                                currency="GBP", controller=carol)
    Contact.objects.create(customer=c, last_name="Payable", email=email, is_credit_contact=True)
    return c
def invoice(c, no, due):
    return EntryFactory(customer=c, document_no=no, document_date=due - dt.timedelta(days=30),
                        due_date=due, amount=Decimal("100.00"))
out = {"token": Token.objects.create(user=carol).key}
if mode == "schedule":
    # Falls due in three days: the courtesy level 1, automatic, is due today.
    invoice(customer("SOON", "ap@soon.example"), "S-1", today + dt.timedelta(days=3))
    promised = customer("PROM", "ap@prom.example")
    e = invoice(promised, "P-1", today - dt.timedelta(days=20))
    p = promise_create(user=carol, customer=promised, entry_ids=[e.pk], promised_on=today,
                       is_full=True)
    from communications.models import Promise
    Promise.objects.filter(pk=p.pk).update(promised_on=today - dt.timedelta(days=1))
    out["promise"] = p.pk
else:
    for n in range(6):
        invoice(customer(f"LATE{n}", f"ap{n}@late.example"), f"L-{n}",
                today - dt.timedelta(days=10))
    run_followups(company=company, trigger="command")
print(json.dumps(out))
"""


def _env(folder: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="creditcontrol.settings",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        CELERY_FS_DIR=str(folder / "celery"),
        EMAIL_FILE_PATH=str(folder / "mail"),
        FOLLOWUP_SCHEDULE_SECONDS="2",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


@pytest.fixture(scope="session")
def migrated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("embedded-template")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env=_env(folder), timeout=300)  # fmt: skip
    return folder / "db.sqlite3"


def _site(migrated: Path, folder: Path, mode: str) -> tuple[dict, dict[str, str]]:
    shutil.copy(migrated, folder / "db.sqlite3")
    env = _env(folder)
    seeded = subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT,
                            env={**env, "SEED_MODE": mode}, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    if seeded.returncode:
        pytest.fail(seeded.stderr[-3000:])
    return json.loads(seeded.stdout.strip().splitlines()[-1]), env


def _query(folder: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(folder / "db.sqlite3", timeout=30) as db:
        return db.execute(sql, params).fetchall()


def _sent(folder: Path) -> list[str]:
    mail = folder / "mail"
    return sorted(f.read_text() for f in mail.glob("*")) if mail.exists() else []


def test_the_embedded_worker_runs_the_schedule_breaks_promises_and_sends_once(migrated,
                                                                             tmp_path):  # fmt: skip
    seeded, env = _site(migrated, tmp_path, "schedule")
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "creditcontrol", "worker", "-B", "--pool=solo",
             "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule"),
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: _query(tmp_path, "SELECT status FROM followups_followuprun "
                                       "WHERE trigger = 'schedule' AND status = 'done'"),
              "the scheduled run", log)  # fmt: skip
        wait_for(lambda: len(_sent(tmp_path)) >= 1, "the automatic email", log)
        time.sleep(8)  # four more beat ticks: nothing more may be run or sent
        runs = _query(tmp_path, "SELECT trigger, status FROM followups_followuprun")
        assert runs == [("schedule", "done")]
        [email] = _sent(tmp_path)
        assert "ap@soon.example" in email and "S-1" in email
        assert "ap@prom.example" not in email
        promise = _query(tmp_path, "SELECT status FROM communications_promise WHERE id = ?",
                         seeded["promise"])  # fmt: skip
        assert promise == [("broken",)]
        # The broken promise no longer holds its customer back: proposed, not automatic.
        proposals = _query(tmp_path, "SELECT c.account_code, p.status FROM followups_proposal p "
                           "JOIN ledger_customer c ON c.id = p.customer_id ORDER BY 1")  # fmt: skip
        assert proposals == [("PROM", "open"), ("SOON", "executed")]
    finally:
        stop(worker)


def _post(url: str, token: str) -> int:
    request = urllib.request.Request(url, data=b"{}", method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_people_executing_one_proposal_at_once_on_sqlite_get_200_and_409(migrated,
                                                                           tmp_path):  # fmt: skip
    seeded, env = _site(migrated, tmp_path, "concurrent")
    port = 18600 + os.getpid() % 1000
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "creditcontrol.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
             "--threads", "8", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _ping(base), "gunicorn", log, timeout=60)
        ids = [row[0] for row in _query(tmp_path, "SELECT id FROM followups_proposal "
                                                  "WHERE status = 'open' ORDER BY id")]  # fmt: skip
        assert len(ids) == 6
        answers: list[int] = []
        for pk in ids:
            url = f"{base}/api/v1/followup-proposals/{pk}/execute/"
            start = threading.Barrier(2)

            def execute(url=url, start=start):
                start.wait()
                answers.append(_post(url, seeded["token"]))

            threads = [threading.Thread(target=execute) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=90)
        assert sorted(answers) == [200] * 6 + [409] * 6, log.read_text()[-3000:]
        assert _query(tmp_path, "SELECT COUNT(*) FROM followups_outboxmessage") == [(6,)]
        assert "database is locked" not in log.read_text()
    finally:
        stop(server)


def _ping(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
