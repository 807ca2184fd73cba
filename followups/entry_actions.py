"""What a controller changes on entries and customers from a proposal: exclusions from the
follow-ups, expected payment dates, the debtor rating. Every change is audited.

Exclusion periods count from the company's own today; "1m" and "2m" are the same day one
or two months on, clamped to the month's end (31 January + 1 month = 28/29 February), the
way people mean "a month from today".
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communications.models import EntryNote
from communications.todos import check_date
from creditcontrol.roles import can_work_customers
from creditcontrol.templatetags.ui import day
from ledger.audit import audit_bulk, audit_event, audit_record
from ledger.models import AuditEvent, Company, Customer, DebtorRating, LedgerEntry
from ledger.services import customer_update, require_company
from ledger.signals import announce_changed

EXCLUSION_PERIODS = {
    "forever": gettext_lazy("Forever"),
    "1w": gettext_lazy("One week"),
    "2w": gettext_lazy("Two weeks"),
    "1m": gettext_lazy("One month"),
    "2m": gettext_lazy("Two months"),
}
# The latest expected payment date a controller may give, from the company's today.
EXPECTED_DATE_HORIZON = dt.timedelta(days=366)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _check_period(period: str) -> None:
    if period not in EXCLUSION_PERIODS:
        choices = ", ".join(EXCLUSION_PERIODS)
        raise ValidationError(
            {
                "period": _("“%(period)s” is not an exclusion period (%(choices)s).")
                % {"period": period, "choices": choices}
            }
        )


def exclusion_until(period: str, today: dt.date) -> dt.date | None:
    """The date an exclusion of ``period`` runs until (None: forever); the entry is chased
    again on that date."""
    _check_period(period)
    if period == "forever":
        return None
    if period.endswith("w"):
        return today + dt.timedelta(weeks=int(period[0]))
    return add_months(today, int(period[0]))


def _locked_entries(user: Any, entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """The entries again, locked in id order, after checking the user works on every one's
    company; only open invoices and debit memos are chased, so only they are accepted."""
    ids = sorted({e.pk for e in entries})
    if not ids:
        raise ValidationError({"entries": _("Select at least one entry.")})
    locked = list(
        LedgerEntry.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )  # fmt: skip
    for company_id in sorted({e.company_id for e in locked}):
        require_company(user, Company(pk=company_id), check=can_work_customers)
    refused = [e for e in locked if not (e.is_debit and e.is_open)]
    if refused:
        listed = ", ".join(e.document_no for e in refused)
        raise ValidationError(
            {"entries": _('Only open invoices and debit memos are chased: %(listed)s is not one; nothing was changed.') % {'listed': listed}}
        )  # fmt: skip
    return locked


def _set_exclusion(user: Any, entries: list[LedgerEntry], forever: bool,
                   until: dt.date | None, source: str) -> list[LedgerEntry]:  # fmt: skip
    events = []
    for entry in entries:
        before = {"exclude_forever": entry.exclude_forever,
                  "exclude_until": entry.exclude_until.isoformat() if entry.exclude_until else None}  # fmt: skip
        after = {"exclude_forever": forever, "exclude_until": until.isoformat() if until else None}
        if before != after:
            events.append(audit_event(user=user, obj=entry, action=AuditEvent.Action.UPDATE,
                                      before=before, after=after, source=source))  # fmt: skip
        entry.exclude_forever, entry.exclude_until = forever, until
    LedgerEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        exclude_forever=forever, exclude_until=until
    )
    audit_bulk(events)
    for company_id in sorted({e.company_id for e in entries}):
        announce_changed(company_id=company_id,
                         entry_ids=[e.pk for e in entries if e.company_id == company_id])  # fmt: skip
    return entries


@transaction.atomic
def entries_exclude(*, user: Any, entries: Iterable[LedgerEntry], period: str,
                    source: str = "web") -> list[LedgerEntry]:  # fmt: skip
    """Keep these entries out of the follow-ups forever, or for a period from today."""
    _check_period(period)
    locked = _locked_entries(user, entries)
    by_company: dict[int, list[LedgerEntry]] = {}
    for entry in locked:
        by_company.setdefault(entry.company_id, []).append(entry)
    for own in by_company.values():
        until = exclusion_until(period, own[0].company.today())
        _set_exclusion(user, own, until is None, until, source)
    return locked


@transaction.atomic
def entries_include(*, user: Any, entries: Iterable[LedgerEntry],
                    source: str = "web") -> list[LedgerEntry]:  # fmt: skip
    """End the exclusion of these entries: the next run chases them again."""
    return _set_exclusion(user, _locked_entries(user, entries), False, None, source)


@transaction.atomic
def entry_expected_date_set(*, user: Any, entry: LedgerEntry, on: dt.date | None, note: str = "",
                            source: str = "web") -> LedgerEntry:  # fmt: skip
    """Set (or clear, with ``on`` None) the date the customer is expected to pay an entry;
    the engine does not chase it before then. A note on the entry says why."""
    entry = _locked_entries(user, [entry])[0]
    today = entry.company.today()
    check_date(on, "on", earliest=today, latest=today + EXPECTED_DATE_HORIZON,
               what="expected payment date")  # fmt: skip
    note = (note or "").strip()
    before = entry.expected_payment_date
    entry.expected_payment_date = on
    LedgerEntry.objects.filter(pk=entry.pk).update(expected_payment_date=on)
    audit_record(user=user, obj=entry, action=AuditEvent.Action.UPDATE, source=source,
                 before={"expected_payment_date": before.isoformat() if before else None},
                 after={"expected_payment_date": on.isoformat() if on else None})  # fmt: skip
    said = (_("Expected payment date %(day)s.") % {"day": day(on)} if on
            else _("Expected payment date removed."))  # fmt: skip
    EntryNote.objects.create(company_id=entry.company_id, entry=entry,
                             text=f"{said} {note}".strip(),
                             created_by=user if getattr(user, "pk", None) else None)  # fmt: skip
    announce_changed(company_id=entry.company_id, entry_ids=[entry.pk])
    return entry


def customer_rating_set(*, user: Any, customer: Customer, rating: str,
                        source: str = "web") -> Customer:  # fmt: skip
    """Change the customer's debtor rating (good, normal, bad); controllers may."""
    if rating not in DebtorRating.values:
        raise ValidationError(
            {
                "rating": _("“%(rating)s” is not a debtor rating (good, normal, bad).")
                % {"rating": rating}
            }
        )
    return customer_update(user=user, customer=customer, debtor_rating=rating, source=source)
