"""Report traffic for a fixed time, and the CPU each PostgreSQL cluster spent serving it.

Run by ``bench/replica.sh`` twice on the same data: without ``REPLICA_DATABASE_URL``
(every query on the primary) and with it (report reads on the streaming replica). Threads
request report pages as ``bench_manager`` (in-process, Django's test client) while one
more thread works as a controller would on the primary (customer card, work list). The
CPU seconds are read from ``/proc`` for each cluster's postmaster and its children
(the reaped ones included), so they are the database servers' own work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
os.environ.setdefault("SECRET_KEY", "bench-replica-key-not-secret-0123456789-abcdefghijklmnop")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

TICKS = os.sysconf("SC_CLK_TCK")


def cluster_cpu_seconds(port: int) -> float:
    """utime+stime of the postmaster listening on ``port``, its live children and the
    children it has reaped."""
    version = os.environ.get("PG_VERSION", "15")
    name = {os.environ.get("REPLICA_BENCH_PRIMARY_PORT"): "speedpg_primary",
            os.environ.get("REPLICA_BENCH_REPLICA_PORT"): "speedpg_replica"}.get(str(port))  # fmt: skip
    pid_file = Path(f"/var/lib/postgresql/{version}/{name}/postmaster.pid")
    postmaster = int(pid_file.read_text().split()[0])
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(proc.name), int(fields[1])
        if pid == postmaster:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("REPLICA_SECONDS", 60))
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("REPLICA_THREADS", 4)))
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connections
    from django.test import Client

    from ledger.models import Customer

    manager = User.objects.get(username="bench_manager")
    largest = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    back = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=92)).isoformat()
    reports = [
        "/reports/aged-receivables/?sort=-total",
        f"/reports/aged-receivables/?as_of={back}&sort=-total",
        "/reports/aged-receivables/?part=totals",
        "/reports/past-due-invoices/?sort=-remaining_lcy",
        "/reports/chase-debt/?sort=follow_up",
        "/reports/dashboard/",
        "/api/v1/reports/aged-receivables/",
    ]
    work = [f"/customers/{largest}/", "/", "/customers/?sort=-overdue"]
    times: dict[str, list[float]] = {"report": [], "work": []}
    errors: list[str] = []
    stop = time.monotonic() + args.seconds

    def loop(urls: list[str], kind: str, offset: int) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(manager)
        i = offset
        while time.monotonic() < stop:
            url = urls[i % len(urls)]
            i += 1
            started = time.perf_counter()
            response = client.get(url, secure=True)
            if response.streaming:
                b"".join(response.streaming_content)
            times[kind].append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(f"{url}: {response.status_code}")
        connections.close_all()

    primary_port = int(os.environ["REPLICA_BENCH_PRIMARY_PORT"])
    replica_port = int(os.environ["REPLICA_BENCH_REPLICA_PORT"])
    before = cluster_cpu_seconds(primary_port), cluster_cpu_seconds(replica_port)
    threads = [
        threading.Thread(target=loop, args=(reports, "report", n)) for n in range(args.threads)
    ]
    threads.append(threading.Thread(target=loop, args=(work, "work", 0)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = cluster_cpu_seconds(primary_port), cluster_cpu_seconds(replica_port)

    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{args.label}: {args.seconds:.0f} s, {args.threads} report threads + 1 controller; "
          f"load average {' '.join(load)}")  # fmt: skip
    for kind, values in times.items():
        if values:
            print(
                f"  {kind:6} requests {len(values):5}  median {statistics.median(values) * 1000:7.0f} ms"
            )
    print(
        f"  primary CPU {after[0] - before[0]:7.1f} s   replica CPU {after[1] - before[1]:7.1f} s"
    )
    if errors:
        print(f"  {len(errors)} errors, first: {errors[0]}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
