"""Recompute the kept per-customer balances from the ledger entries."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from ledger.balances import balances_differences, balances_rebuild
from ledger.models import Company


class Command(BaseCommand):
    help = (
        "Recompute every customer's kept balance, overdue and aged figures from the open "
        "entries, as of each company's today (after a restore, or to repair). With --check, "
        "only count the customers whose kept figures differ (exit status 1 when any do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", action="append", default=[],
                            help="company code (repeatable); default every company")  # fmt: skip
        parser.add_argument("--check", action="store_true", help="report, change nothing")

    def handle(self, *args, company: list[str], check: bool, **options):
        companies = Company.objects.all()
        if company:
            companies = companies.filter(code__in=company)
            missing = set(company) - set(companies.values_list("code", flat=True))
            if missing:
                self.stderr.write(f"No company with the code {', '.join(sorted(missing))}.")
                sys.exit(2)
        started = time.monotonic()
        if check:
            count = balances_differences(companies=companies)
            self.stdout.write(f"{count} customers differ from their entries "
                              f"({time.monotonic() - started:.1f} s).")  # fmt: skip
            if count:
                sys.exit(1)
            return
        count = balances_rebuild(companies=companies)
        self.stdout.write(f"Kept balances rebuilt: {count} customers corrected "
                          f"({time.monotonic() - started:.1f} s).")  # fmt: skip
