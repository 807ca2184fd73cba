"""The demo builds what it promises on any date (finding 11): seeded with the clock frozen
on dates that have broken date logic before — month ends, 29 February, the first
working day after a bank holiday, a year's turn — it holds every kind of workbench
item the README and the login journeys rely on."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from communications.models import CallAction, Dispute, EntryStatus, Notification, Promise
from followups.models import Proposal
from ledger.models import Company

pytestmark = pytest.mark.django_db

DATES = [
    dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC),  # a month end (31 days)
    dt.datetime(2026, 4, 30, 10, tzinfo=dt.UTC),  # a month end (30 days)
    dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC),  # the day the suite failed
    dt.datetime(2027, 1, 4, 8, tzinfo=dt.UTC),  # Monday after New Year's Day
    dt.datetime(2026, 4, 7, 9, tzinfo=dt.UTC),  # Tuesday after Easter Monday
    dt.datetime(2028, 2, 29, 10, tzinfo=dt.UTC),  # 29 February
    dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC),  # New Year already in Berlin
]


@pytest.mark.parametrize("moment", DATES, ids=[d.strftime("%Y-%m-%d") for d in DATES])
def test_the_demo_holds_every_promised_kind_of_item_on_any_date(moment):
    with (
        time_machine.travel(moment, tick=False),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        call_command("seed_demo", stdout=StringIO())
        for company in Company.objects.all():
            kinds = set(CallAction.objects.filter(company=company)
                        .values_list("action_type__behaviour", flat=True))  # fmt: skip
            assert {"alert", "credit_memo", "dispute", "record"} <= kinds, (company, kinds)
            assert Dispute.objects.filter(company=company).open().count() >= 3
            assert (
                EntryStatus.objects.filter(company=company).values("status_code").distinct().count()
                >= 2
            )
            assert Notification.objects.filter(company=company).count() == 1
            assert Promise.objects.filter(company=company).exists()
            assert Proposal.objects.filter(company=company).exists()
