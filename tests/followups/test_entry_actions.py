"""Exclusions, expected payment dates and debtor ratings (followups/entry_actions.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import EntryNote
from followups.entry_actions import (
    add_months,
    customer_rating_set,
    entries_exclude,
    entries_include,
    entry_expected_date_set,
    exclusion_until,
)
from ledger.models import AuditEvent, LedgerEntry
from tests.factories import CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("today", "period", "until"),
    [
        (dt.date(2026, 11, 23), "1w", dt.date(2026, 11, 30)),
        (dt.date(2026, 11, 23), "2w", dt.date(2026, 12, 7)),
        (dt.date(2026, 11, 23), "1m", dt.date(2026, 12, 23)),
        (dt.date(2026, 11, 23), "2m", dt.date(2027, 1, 23)),
        (dt.date(2026, 12, 28), "1w", dt.date(2027, 1, 4)),
        (dt.date(2027, 1, 31), "1m", dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), "1m", dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 31), "2m", dt.date(2027, 2, 28)),
        (dt.date(2026, 10, 31), "1m", dt.date(2026, 11, 30)),
        (dt.date(2026, 11, 30), "1m", dt.date(2026, 12, 30)),
        (dt.date(2026, 11, 23), "forever", None),
    ],
)
def test_exclusion_periods_count_from_today_and_clamp_month_ends(today, period, until):
    assert exclusion_until(period, today) == until


def test_a_year_on_from_the_29th_of_february_is_the_28th():
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)


def test_an_unknown_period_is_refused(controller, customer):
    entry = EntryFactory(customer=customer)
    with pytest.raises(ValidationError, match="not an exclusion period"):
        entries_exclude(user=controller, entries=[entry], period="3w")


@pytest.mark.parametrize(
    ("now", "time_zone", "until"),
    [
        # 23:30 UTC on 31 January is still the 31st in London, already 1 February in Berlin.
        (dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC), "Europe/London", dt.date(2027, 2, 28)),
        (dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC), "Europe/Berlin", dt.date(2027, 3, 1)),
    ],
)
def test_a_month_counts_from_the_companys_own_today(controller, company, customer, now,
                                                    time_zone, until):  # fmt: skip
    company.time_zone = time_zone
    company.save()
    entry = EntryFactory(customer=customer)
    with time_machine.travel(now, tick=False):
        entries_exclude(user=controller, entries=[entry], period="1m")
    entry.refresh_from_db()
    assert (entry.exclude_forever, entry.exclude_until) == (False, until)


@time_machine.travel(NOON, tick=False)
def test_exclusions_are_set_cleared_and_audited(controller, customer):
    first, second = EntryFactory(customer=customer), EntryFactory(customer=customer)
    entries_exclude(user=controller, entries=[first, second], period="forever")
    assert set(LedgerEntry.objects.values_list("exclude_forever", "exclude_until")) == {
        (True, None)
    }
    # From forever to two weeks: never both (the database refuses that).
    entries_exclude(user=controller, entries=[first], period="2w")
    first.refresh_from_db()
    assert (first.exclude_forever, first.exclude_until) == (False, dt.date(2026, 12, 7))
    entries_include(user=controller, entries=[first, second])
    assert set(LedgerEntry.objects.values_list("exclude_forever", "exclude_until")) == {
        (False, None)
    }

    events = AuditEvent.objects.filter(model="ledger.ledgerentry", object_id=first.pk).order_by(
        "id"
    )
    assert [(e.user, e.before, e.after) for e in events] == [
        (controller, {"exclude_forever": False, "exclude_until": None},
         {"exclude_forever": True, "exclude_until": None}),
        (controller, {"exclude_forever": True, "exclude_until": None},
         {"exclude_forever": False, "exclude_until": "2026-12-07"}),
        (controller, {"exclude_forever": False, "exclude_until": "2026-12-07"},
         {"exclude_forever": False, "exclude_until": None}),
    ]  # fmt: skip


def test_only_open_invoices_can_be_excluded_and_nothing_changes_otherwise(controller, customer):
    invoice = EntryFactory(customer=customer)
    cash = payment(customer, "20.00")
    with pytest.raises(ValidationError, match=f"{cash.document_no} is not one"):
        entries_exclude(user=controller, entries=[invoice, cash], period="1w")
    invoice.refresh_from_db()
    assert invoice.exclude_until is None


def test_entry_actions_refuse_outsiders_and_roles_without_customer_work(
    outsider, integrator, customer
):
    entry = EntryFactory(customer=customer)
    for user in (outsider, integrator):
        with pytest.raises(PermissionDenied):
            entries_exclude(user=user, entries=[entry], period="1w")
        with pytest.raises(PermissionDenied):
            entries_include(user=user, entries=[entry])
        with pytest.raises(PermissionDenied):
            entry_expected_date_set(user=user, entry=entry, on=None)
        with pytest.raises(PermissionDenied):
            customer_rating_set(user=user, customer=customer, rating="bad")
    assert not AuditEvent.objects.exists()


def test_entries_of_two_companies_need_access_to_both(controller, other_company, customer):
    foreign = EntryFactory(customer=CustomerFactory(company=other_company))
    with pytest.raises(PermissionDenied):
        entries_exclude(user=controller, entries=[EntryFactory(customer=customer), foreign],
                        period="1w")  # fmt: skip
    assert not LedgerEntry.objects.filter(exclude_until__isnull=False).exists()


@time_machine.travel(NOON, tick=False)
def test_expected_payment_date_with_a_note(controller, customer):
    entry = EntryFactory(customer=customer)
    entry_expected_date_set(user=controller, entry=entry, on=dt.date(2026, 12, 4),
                            note="  Paying run on Fridays ")  # fmt: skip
    entry.refresh_from_db()
    assert entry.expected_payment_date == dt.date(2026, 12, 4)
    note = EntryNote.objects.get()
    assert (note.entry, note.created_by) == (entry, controller)
    assert note.text == "Expected payment date 04 Dec 2026. Paying run on Fridays"
    event = AuditEvent.objects.get(model="ledger.ledgerentry")
    assert (event.before, event.after) == (
        {"expected_payment_date": None}, {"expected_payment_date": "2026-12-04"},
    )  # fmt: skip
    entry_expected_date_set(user=controller, entry=entry, on=None)
    entry.refresh_from_db()
    assert entry.expected_payment_date is None
    assert EntryNote.objects.first().text == "Expected payment date removed."


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize(
    ("on", "message"),
    [
        (dt.date(2026, 11, 22), "cannot be before 23 Nov 2026"),
        (dt.date(2027, 11, 25), "cannot be after 24 Nov 2027"),
    ],
)
def test_an_expected_date_in_the_past_or_too_far_on_is_refused(controller, customer, on,
                                                               message):  # fmt: skip
    entry = EntryFactory(customer=customer)
    with pytest.raises(ValidationError, match=message):
        entry_expected_date_set(user=controller, entry=entry, on=on, note="x")
    entry.refresh_from_db()
    assert entry.expected_payment_date is None and not EntryNote.objects.exists()


def test_debtor_rating_is_changed_by_a_controller_and_audited(controller, customer):
    customer_rating_set(user=controller, customer=customer, rating="bad")
    customer.refresh_from_db()
    assert customer.debtor_rating == "bad"
    event = AuditEvent.objects.get(model="ledger.customer")
    assert (event.before, event.after) == ({"debtor_rating": "normal"}, {"debtor_rating": "bad"})
    with pytest.raises(ValidationError, match="not a debtor rating"):
        customer_rating_set(user=controller, customer=customer, rating="awful")
