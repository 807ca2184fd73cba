"""``manage.py seed_demo``: the demo companies, customers, ledgers and logins (``ledger.demo``),
then the workbench on them (``communications.demo``).

It lives in the project package because it calls both apps and ``ledger`` may not
import ``communications``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from communications import demo as workbench
from followups import demo as followups_demo
from ledger import demo


class Command(BaseCommand):
    help = (
        "Create two demo companies with about 200 customers, 3,000 ledger entries, one user "
        "per role, and communications, promises, disputes and to-dos on a third of the "
        "customers. Does nothing if the demo data exists, unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo companies and everything in them, then build them again.",
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        if demo.demo_exists() and not reset:
            self.stdout.write(
                "The demo data is already there; nothing was changed. "
                "Run `manage.py seed_demo --reset` to build it again."
            )
            self._print_logins(rebuilt=False)
            return
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                demo.demo_purge()
            summary = demo.demo_create()
            worked = workbench.demo_create()
            chased = followups_demo.demo_create([row["company"] for row in summary])
        for row, bench, chase in zip(summary, worked, chased, strict=True):
            company = row["company"]
            self.stdout.write(
                f"{company.name} ({company.base_currency}, {company.time_zone}): "
                f"{row['customers']} customers, {row['contacts']} contacts, "
                f"{row['entries']:,} ledger entries, {row['applications']:,} applications"
            )
            self.stdout.write(
                f"  workbench: {bench['communications']} communications, "
                f"{bench['promises']} promises ({bench['broken']} broken yesterday), "
                f"{bench['disputes']} disputes, {bench['todos']} open to-dos"
            )
            self.stdout.write(
                f"  follow-ups: {chase['open']} proposals on the work list, "
                f"{chase['executed']} from a run a week ago executed"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data built in {time.monotonic() - started:.1f} s.")
        )
        self._print_logins(rebuilt=True)

    def _print_logins(self, *, rebuilt: bool) -> None:
        password = demo.DEMO_PASSWORD if rebuilt else f"{demo.DEMO_PASSWORD} (unless changed since)"
        self.stdout.write("")
        self.stdout.write(f"Demo logins, password for all: {password}")
        self.stdout.write(f"  {'username':<10} {'role':<18} name")
        for username, role, name in demo.demo_logins():
            self.stdout.write(f"  {username:<10} {role:<18} {name}")
        self.stdout.write("")
        self.stdout.write(f"Integrator API token ({demo.INTEGRATOR}): {demo.integrator_token()}")
        self.stdout.write(f'  header: "Authorization: Token {demo.integrator_token()}"')
