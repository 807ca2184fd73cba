"""Time the follow-up engine on the benchmark data and print each figure against its target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/creditcontrol_bench_engine \\
        .venv/bin/python bench/engine.py [--date YYYY-MM-DD] [--repeat 3] [--only first]

Each repetition, over all companies of the database (the daily schedule runs them one by
one; the figures are the sums):

1. **first**: a run on empty proposal tables (the script truncates the proposals, their
   lines, the runs and the engine's bookkeeping), as at go-live or after a restore;
2. **rerun**: the same date again: it must restage nobody and change nothing;
3. **next day**: the incremental run of the day after;
4. **full**: a full recomputation of that day over the proposals the incremental run
   left, which must change nothing (the incremental run's proof on the real data).

Promises due by the next day are settled once before (the hourly ``check_promises`` has
settled them by the time of a day's run), so that each repetition starts from the same
ledger. The median of ``--repeat`` repetitions is printed with the load average beside it.
Targets (issue 16): at 1,000,000 open entries first < 10 s, full < 5 s, rerun < 0.5 s,
next day < 1 s; at 3,000,000: full < 15 s, next day < 3 s. It writes to the database it is
given: point it at a copy (``bench/engine.sh`` makes one, and a restored copy for the
first run without ANALYZE).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("first", "rerun", "next_day", "full")
TARGETS_1M = {"first": 10.0, "full": 5.0, "rerun": 0.5, "next_day": 1.0}
# The issue sets no first-run or rerun target at 3M: none is checked there.
TARGETS_3M = {"first": None, "full": 15.0, "rerun": None, "next_day": 3.0}
BOOKKEEPING = ("followups_proposalentry", "followups_proposal", "followups_followuprun",
               "followups_enginestate", "followups_chasewake", "followups_chasechange")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", type=dt.date.fromisoformat, help="default: each company's today")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=FIGURES, action="append",
                        help="measure only these figures (repeatable); 'first' alone for a "
                             "restored copy")  # fmt: skip
    parser.add_argument("--label", default="", help="printed with the figures (e.g. 'restored')")
    parser.add_argument("--forget-statistics", action="store_true",
                        help="before each repetition, delete the planner statistics of the "
                             "tables a run reads, as a pg_restore leaves them (superuser)")  # fmt: skip
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from communications.promises import promises_settle
    from followups.engine import READ_TABLES, run_followups
    from ledger.models import Company, LedgerEntry

    if connection.vendor != "postgresql":
        print("The engine benchmark runs on PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        return 2
    wanted = args.only or list(FIGURES)
    companies = list(Company.objects.order_by("code"))
    open_entries = LedgerEntry.objects.exclude(remaining=0).count()
    targets = TARGETS_3M if open_entries >= 2_000_000 else TARGETS_1M
    days = {c.pk: args.date or c.today() for c in companies}
    for company in companies:  # as the hourly check_promises has by the next day's run
        with transaction.atomic():
            promises_settle(company=company, as_of=days[company.pk] + dt.timedelta(days=1))

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def cpu() -> float:
        """CPU seconds of this process and of its PostgreSQL backend (same machine): on a
        busy machine the wall time waits for the cores; this says what the work costs."""
        try:
            fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:  # the server on another machine: the client's share only
            server = 0.0
        return server + time.process_time()

    def run_all(label: str, *, next_day: bool = False, full: bool = False) -> tuple[float, dict]:
        total, counts = 0.0, {"restaged": 0, "created": 0, "refreshed": 0, "withdrawn": 0}
        counts["cpu_s"] = 0.0
        for company in companies:
            day = days[company.pk] + dt.timedelta(days=1 if next_day else 0)
            started, used = time.perf_counter(), cpu()
            run = run_followups(company=company, as_of=day, trigger="command", full=full)
            total += time.perf_counter() - started
            counts["cpu_s"] = round(counts["cpu_s"] + cpu() - used, 3)
            if run.status != "done":
                raise SystemExit(f"{company.code} {label}: FAILED {run.error}")
            counts["restaged"] += run.customers_restaged or 0
            counts["created"] += run.proposals_created
            counts["refreshed"] += run.proposals_refreshed
            counts["withdrawn"] += run.proposals_withdrawn
        return total, counts

    samples: dict[str, list[float]] = {name: [] for name in wanted}
    cpu_samples: dict[str, list[float]] = {name: [] for name in wanted}
    loads: list[float] = []
    details: list[dict] = []
    problems: list[str] = []
    for repetition in range(args.repeat):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(BOOKKEEPING)} CASCADE")
            if args.forget_statistics:
                cursor.execute("DELETE FROM pg_statistic WHERE starelid IN (SELECT oid FROM "
                               "pg_class WHERE relname = ANY(%s))", [list(READ_TABLES)])  # fmt: skip
        row: dict = {"load": os.getloadavg()[0]}
        seconds, counts = run_all("first")
        row["first"] = (round(seconds, 3), counts)
        if "rerun" in wanted:
            seconds, counts = run_all("rerun")
            row["rerun"] = (round(seconds, 3), counts)
            if (
                counts["created"]
                or counts["refreshed"]
                or counts["withdrawn"]
                or counts["restaged"]
            ):
                problems.append(f"repetition {repetition + 1}: the rerun changed {counts}")
        if "next_day" in wanted or "full" in wanted:
            seconds, counts = run_all("next day", next_day=True)
            row["next_day"] = (round(seconds, 3), counts)
        if "full" in wanted:
            seconds, counts = run_all("full", next_day=True, full=True)
            row["full"] = (round(seconds, 3), counts)
            if counts["created"] or counts["refreshed"] or counts["withdrawn"]:
                problems.append(f"repetition {repetition + 1}: the full recomputation after the "
                                f"incremental run changed {counts}")  # fmt: skip
        loads.append(row["load"])
        details.append(row)
        for name in wanted:
            samples[name].append(row[name][0])
            cpu_samples[name].append(row[name][1]["cpu_s"])
        print(
            f"repetition {repetition + 1} (load {row['load']:.2f}): "
            + ", ".join(
                f"{name} {row[name][0]:.2f} s {row[name][1]}" for name in wanted if name in row
            )
        )

    lines = LedgerEntry.objects.count()
    print(f"\n{open_entries:,} open entries ({lines:,} in all), {len(companies)} companies"
          f"{', ' + args.label if args.label else ''}; median of {args.repeat}, load average "
          f"{statistics.median(loads):.2f} (1-minute, at the start of each repetition; "
          f"{os.cpu_count()} cores)")  # fmt: skip
    verdicts = {}
    for name in wanted:
        median = statistics.median(samples[name])
        target = targets[name]
        if target is None:
            print(f"  {name:<9} {median:7.2f} s   no target          "
                  f"CPU {statistics.median(cpu_samples[name]):6.2f} s   (samples {samples[name]})")  # fmt: skip
            continue
        verdicts[name] = median < target
        print(
            f"  {name:<9} {median:7.2f} s   target {target:5.1f} s   "
            f"{'PASS' if verdicts[name] else 'FAIL'}   "
            f"CPU {statistics.median(cpu_samples[name]):6.2f} s   (samples {samples[name]})"
        )
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"engine-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"open_entries": open_entries, "label": args.label,
                                "repetitions": details, "targets": targets,
                                "verdicts": verdicts, "problems": problems}, indent=2))  # fmt: skip
    print(f"Written {path}")
    return 0 if all(verdicts.values()) and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
