"""Run the follow-up engine now, for every company or the ones named, on their today or a date."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from followups.models import FollowUpRun
from followups.tasks import run_and_execute
from ledger.models import Company


class Command(BaseCommand):
    help = (
        "Run the follow-up engine (then execute the automatic levels) for each company, "
        "on the company's today or on --date. Exits 1 when a run fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", action="append", metavar="CODE",
                            help="A company code; repeat for several (default: all).")  # fmt: skip
        parser.add_argument("--date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                            help="The date to run for (default: each company's today).")  # fmt: skip
        parser.add_argument("--full", action="store_true",
                            help="Recompute every customer, not only those changed since the "
                                 "last run (after a change made outside the application).")  # fmt: skip

    def handle(self, *args, company=None, date=None, full=False, **options):
        companies = Company.objects.order_by("code")
        if company:
            companies = companies.filter(code__in=company)
            missing = sorted(set(company) - set(companies.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"No company with code {', '.join(missing)}.")
        failed = False
        for each in companies:
            run = FollowUpRun.objects.create(
                company=each, run_date=date or each.today(), trigger=FollowUpRun.Trigger.COMMAND
            )
            run = run_and_execute(run, full=full)
            if run.status == FollowUpRun.Status.FAILED:
                failed = True
                self.stderr.write(f"{each.code} {run.run_date}: failed: {run.error}")
                continue
            self.stdout.write(
                f"{each.code} {run.run_date}: {run.proposals_created} created, "
                f"{run.proposals_refreshed} refreshed, {run.proposals_withdrawn} withdrawn, "
                f"{run.proposals_open} open, {run.entries_chaseable} entries chaseable, "
                f"{'all' if run.customers_restaged is None else run.customers_restaged} customers "
                f"restaged ({run.duration_ms} ms)"
            )
        if failed:
            raise CommandError("At least one run failed; see the runs page for the error.")
