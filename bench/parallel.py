"""Companies run in parallel: two Celery workers, one daily-run task per company.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of the bench data> \
    REDIS_URL=redis://127.0.0.1:6379/<a database of yours> \
        .venv/bin/python bench/parallel.py [--rounds 3]

Starts two workers (``celery worker --pool solo``, one task at a time each), then per
round: (1) each company's run queued alone and waited for, one after the other; (2) both
queued at once. Before every run the proposals and runs are removed (a first run, the
same work each time). The figure to look at: "both at once" against the larger company
alone (the target: about the same), and against the sum (what one worker takes).

The runs go through ``followups.tasks.run_task`` as the schedule queues them. The bench
database's plans have their automatic execution switched off first (it writes to the
database it is given), so that the figure is the runs' and not the rendering of
thousands of courtesy emails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        print("Set DATABASE_URL (PostgreSQL, a bench copy) and REDIS_URL.", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
    import django

    django.setup()
    from django.db import connection

    from followups.models import FollowUpLevel, FollowUpRun
    from followups.plans import plan_for
    from followups.tasks import run_task
    from ledger.models import Company

    companies = list(Company.objects.order_by("code"))
    for company in companies:
        plan_for(company)
    FollowUpLevel.objects.update(execute_automatically=False)

    def clear() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE followups_proposalentry, followups_proposal, followups_followuprun CASCADE"
            )

    def run(batch: list[Company]) -> float:
        clear()
        runs = [
            FollowUpRun.objects.create(company=c, run_date=c.today(), trigger="api") for c in batch
        ]
        started = time.perf_counter()
        for r in runs:
            run_task.delay(r.pk)
        while (
            FollowUpRun.objects.filter(pk__in=[r.pk for r in runs])
            .exclude(status__in=["done", "failed"])
            .exists()
        ):
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        bad = FollowUpRun.objects.filter(pk__in=[r.pk for r in runs]).exclude(status="done")
        if bad.exists():
            raise SystemExit(f"a run did not finish: {list(bad.values('company__code', 'status'))}")
        return elapsed

    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"}
    workers = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "creditcontrol",
                "worker",
                "--pool",
                "solo",
                "-n",
                f"parallel{n}@%h",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
        )
        for n in (1, 2)
    ]
    try:
        time.sleep(8)  # both workers up and consuming
        alone: dict[str, list[float]] = {c.code: [] for c in companies}
        together: list[float] = []
        for _ in range(args.rounds):
            for company in companies:
                alone[company.code].append(run([company]))
            together.append(run(companies))
        clear()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    load = Path("/proc/loadavg").read_text().split()[:3]
    medians = {code: statistics.median(times) for code, times in alone.items()}
    both = statistics.median(together)
    print(f"median of {args.rounds}, load average {' '.join(load)}")
    for code, value in medians.items():
        print(f"  {code} alone            {value:6.2f} s")
    print(f"  one after the other  {sum(medians.values()):6.2f} s")
    print(f"  both at once         {both:6.2f} s   (larger alone {max(medians.values()):.2f} s; "
          f"ratio {both / max(medians.values()):.2f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
