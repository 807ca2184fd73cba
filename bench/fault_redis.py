"""Fault: Redis stops under a running application, then comes back.

    .venv/bin/python bench/fault_redis.py        (PostgreSQL database cc_fault_redis by
                                                  default: FAULT_DATABASE_URL to change it)

Starts its own redis-server (port 6391, never the shared one), gunicorn on a fresh
PostgreSQL database with the demo data, and checks, printing each figure:
1. with Redis up: sign-in, the work list, the dashboard and the API answer 200;
2. Redis stopped: the same answer 200 (the cache falls back to memory), and "Run now"
   answers at once with the run recorded as queued and its task kept pending in the
   task outbox (nothing reaches a broker that is not there);
3. Redis started again and a Celery worker with it: the beat task that relays the task
   outbox sends the pending run, the worker runs it once; relaying again sends nothing.
Exits non-zero on the first check that fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
PORT, REDIS_PORT = 8312, 6391
DB_URL = os.environ.get("FAULT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cc_fault_redis")
ENV = {**os.environ, "DATABASE_URL": DB_URL, "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
       "SECRET_KEY": "fault-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
       "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
       "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING"}  # fmt: skip
BASE = f"http://127.0.0.1:{PORT}"


def check(what: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what} {detail}")
    if not ok:
        sys.exit(1)


def redis(*args: str) -> None:
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), *args], check=False, capture_output=True)


def manage(*args: str) -> str:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


def sql(query: str) -> str:
    return subprocess.run(["psql", DB_URL, "-tAc", query], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def signed_in() -> requests.Session:
    s = requests.Session()
    s.get(f"{BASE}/login/", timeout=30)
    r = s.post(f"{BASE}/login/", data={"username": "carol", "password": "demo-pass-2026",
               "csrfmiddlewaretoken": s.cookies["csrftoken"]},
               headers={"Referer": f"{BASE}/login/"}, timeout=30, allow_redirects=False)  # fmt: skip
    check("sign-in", r.status_code == 302, f"({r.status_code})")
    return s


def pages(s: requests.Session, label: str) -> None:
    for url in ("/", "/reports/dashboard/", "/customers/", "/api/v1/customers/"):
        started = time.monotonic()
        r = s.get(BASE + url, timeout=30)
        check(f"{label}: GET {url}", r.status_code == 200,
              f"({r.status_code}, {1000 * (time.monotonic() - started):.0f} ms)")  # fmt: skip


def main() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    server = DB_URL.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", server, "-c", f"DROP DATABASE IF EXISTS {name}"], check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run(
        ["psql", server, "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True
    )
    procs = [subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)]  # fmt: skip
    try:
        time.sleep(1)
        manage("migrate", "--no-input")
        manage("seed_demo")
        procs.append(subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "creditcontrol.wsgi",
                                       "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
                                      cwd=ROOT, env=ENV, stderr=subprocess.DEVNULL))  # fmt: skip
        for _ in range(30):
            try:
                requests.get(f"{BASE}/login/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(1)
        session = signed_in()
        pages(session, "Redis up")

        redis("shutdown", "nosave")
        time.sleep(1)
        session = signed_in()
        pages(session, "Redis down")
        company = sql("SELECT id FROM ledger_company WHERE code = 'NORTHWIND'")
        before = int(sql("SELECT count(*) FROM followups_followuprun"))
        web_before = int(sql("SELECT count(*) FROM followups_followuprun WHERE trigger = 'web'"))
        page = session.get(f"{BASE}/followups/runs/", timeout=30).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        started = time.monotonic()
        r = session.post(f"{BASE}/followups/runs/", data={"company": company,
                         "csrfmiddlewaretoken": token},
                         headers={"Referer": f"{BASE}/followups/runs/"}, timeout=60)  # fmt: skip
        took = time.monotonic() - started
        check("Redis down: Run now answers", r.status_code == 200 and took < 5, f"({took:.1f} s)")
        runs = int(sql("SELECT count(*) FROM followups_followuprun")) - before
        pending = int(sql("SELECT count(*) FROM creditcontrol_queuedtask WHERE sent_at IS NULL"))
        check("Redis down: the run is recorded, its task pending", runs == 1 and pending >= 1,
              f"(runs {runs}, pending tasks {pending})")  # fmt: skip

        procs.append(subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL))  # fmt: skip
        time.sleep(1)
        procs.append(subprocess.Popen([str(ROOT / ".venv/bin/celery"), "-A", "creditcontrol",
                                       "worker", "--pool=solo", "--loglevel=WARNING"],
                                      cwd=ROOT, env=ENV))  # fmt: skip
        relay = "from creditcontrol.tasks import relay_queued_tasks; print(relay_queued_tasks())"
        relayed = manage("shell", "--no-imports", "-c", relay).strip().splitlines()[-1]
        again = manage("shell", "--no-imports", "-c", relay).strip().splitlines()[-1]
        check("Redis back: the pending task is relayed once", relayed != "0" and again == "0",
              f"(relayed {relayed}, then {again})")  # fmt: skip
        for _ in range(120):
            done = sql("SELECT status FROM followups_followuprun ORDER BY id DESC LIMIT 1")
            if done == "done":
                break
            time.sleep(1)
        check("Redis back: the worker ran it", done == "done", f"(status {done})")
        total = int(sql("SELECT count(*) FROM followups_followuprun WHERE trigger = 'web'"))
        check("Redis back: the run exists once", total == web_before + 1,
              f"({total - web_before} new web run)")  # fmt: skip
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
