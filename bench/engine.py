"""Time the follow-up engine on the benchmark data: a full run, then a rerun on the same date.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/creditcontrol_bench_engine \
        .venv/bin/python bench/engine.py [--date YYYY-MM-DD] [--keep] [--out bench/out]

Each company of the database is run in turn, as the daily schedule would: the first run
starts from no proposals (the script removes the proposals and runs an earlier session
left, unless ``--keep``), the rerun is for the same date and must change nothing. The
targets (DESIGN.md): a full run under 30 s, a rerun under 5 s, over all companies. It
writes to the database it is given: point it at a copy of the bench data
(``bench/engine.sh`` makes one), not at a database people use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_TARGET_S = 30.0
RERUN_TARGET_S = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", type=dt.date.fromisoformat, help="default: each company's today")
    parser.add_argument("--keep", action="store_true", help="keep earlier proposals and runs")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
    import django

    django.setup()
    from django.db import connection

    from followups.engine import run_followups
    from followups.models import FollowUpRun, Proposal, ProposalEntry
    from ledger.models import Company, LedgerEntry

    if connection.vendor != "postgresql":
        print("The engine benchmark runs on PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        return 2
    if not args.keep:
        ProposalEntry.objects.all().delete()
        Proposal.objects.all().delete()
        FollowUpRun.objects.all().delete()
    open_entries = LedgerEntry.objects.exclude(remaining=0).count()
    results = {"open_entries": open_entries, "companies": []}
    totals = {"full_s": 0.0, "rerun_s": 0.0}
    for company in Company.objects.order_by("code"):
        for label in ("full", "rerun"):
            started = time.perf_counter()
            run = run_followups(company=company, as_of=args.date, trigger="command")
            seconds = time.perf_counter() - started
            if run.status != "done":
                print(f"{company.code} {label}: FAILED {run.error}", file=sys.stderr)
                return 1
            totals[f"{label}_s"] += seconds
            row = {
                "company": company.code, "run": label, "date": str(run.run_date),
                "seconds": round(seconds, 2), "chaseable": run.entries_chaseable,
                "created": run.proposals_created, "refreshed": run.proposals_refreshed,
                "withdrawn": run.proposals_withdrawn, "open": run.proposals_open,
            }  # fmt: skip
            results["companies"].append(row)
            print(
                f"{company.code:<12} {label:<6} {seconds:7.2f} s  chaseable {run.entries_chaseable:>9,}"
                f"  created {run.proposals_created:>7,}  refreshed {run.proposals_refreshed:>7,}"
                f"  withdrawn {run.proposals_withdrawn:>6,}  open {run.proposals_open:>7,}"
            )
    lines = ProposalEntry.objects.count()
    verdicts = {
        "full": totals["full_s"] < FULL_TARGET_S,
        "rerun": totals["rerun_s"] < RERUN_TARGET_S,
    }
    print(
        f"\n{open_entries:,} open entries, {lines:,} proposal lines.\n"
        f"Full run (all companies): {totals['full_s']:.2f} s (target {FULL_TARGET_S:.0f} s) "
        f"{'PASS' if verdicts['full'] else 'FAIL'}\n"
        f"Rerun, same date:         {totals['rerun_s']:.2f} s (target {RERUN_TARGET_S:.0f} s) "
        f"{'PASS' if verdicts['rerun'] else 'FAIL'}"
    )
    results.update(totals=totals, proposal_lines=lines, verdicts=verdicts)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"engine-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"Written {path}")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
