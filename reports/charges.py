"""The Charges report: every open invoice and debit memo carrying late-payment charges not
yet posted, as of a date — interest in its currency and in LCY, fixed compensation, the
total in LCY — computed in one statement by ``charges.queries`` (the figures the proposed
charges API, the letter, the statement and the customer card show)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from charges.queries import with_charges
from creditcontrol.templatetags.ui import day
from ledger.models import LedgerEntry
from ledger.querysets import DEBIT_TYPE_VALUES

from .activity import CUSTOMER_SORTS, _customer_columns, cents
from .base import Column, Report, ReportRun
from .debt import entry_link
from .filters_activity import ChargesFilter


def charges_as_of(run: ReportRun) -> dt.date:
    return run.filters.get("as_of") or run.today()


class Charges(Report):
    """Entries with charges, largest total first."""

    slug = "charges"
    title = "Charges"
    summary = (
        "Late-payment interest and fixed compensation not yet posted, per overdue invoice, "
        "as of a date: days charged, interest in its currency and in LCY, compensation (LCY), total (LCY)."
    )
    filterset_class = ChargesFilter
    model = LedgerEntry
    has_pdf = True
    defer_totals = True
    subtitle_filters = ("as_of",)
    columns = (
        *_customer_columns(),
        Column("document_no", "Document", link=entry_link, css="mono", sort="document_no"),
        Column("due_date", "Due date", kind="date", sort="due_date"),
        Column("ch_days", "Days", kind="int", sort="days"),
        Column("currency", "Currency"),
        Column("ch_undisputed", "Undisputed", kind="money"),
        Column("ch_interest", "Interest", kind="money", sort="interest"),
        Column("ch_interest_lcy", "Interest LCY", kind="money", total=True),
        Column("ch_compensation", "Compensation", kind="money", total=True),
        Column("ch_total_lcy", "Total LCY", kind="money", total=True, sort="total"),
        Column("lcy", "LCY"),
    )
    sorts = {
        **CUSTOMER_SORTS,
        "document_no": ("document_no",),
        "due_date": ("due_date",),
        "days": ("ch_days",),
        "interest": ("ch_interest",),
        "total": ("ch_total_lcy",),
    }
    # Oldest first: the most days charged. (Sorting by a computed total reads every
    # charged entry; due-date order walks the open-entries index and stops at the page.)
    default_sort = "due_date"

    def with_charges(self, run: ReportRun) -> QuerySet:
        as_of = charges_as_of(run)
        entries = run.qs.filter(entry_type__in=DEBIT_TYPE_VALUES, due_date__lt=as_of).exclude(
            remaining=0
        )
        return with_charges(entries, as_of).filter(ch_ok=1)

    def charged(self, run: ReportRun) -> QuerySet:
        return self.with_charges(run).exclude(ch_total_lcy=0)

    def page_rows(self, run: ReportRun, low: int, count: int) -> list[dict]:
        """In due-date order, find per company the due date the page ends on along the
        open-entries index, then compute and sort only the rows up to it."""
        if run.sort.lstrip("-") != "due_date":
            return super().page_rows(run, low, count)
        earliest_first = run.sort == "due_date"
        order = "due_date" if earliest_first else "-due_date"
        bounds = []
        for company in run.companies:
            dates = list(
                self.charged(run).filter(company=company).order_by(order)
                .values_list("due_date", flat=True)[: low + count]
            )  # fmt: skip
            if dates:
                bounds.append(dates[-1])
        if not bounds:
            return []
        within = Q(due_date__lte=max(bounds)) if earliest_first else Q(due_date__gte=min(bounds))
        return list(run.ordered_rows().filter(within)[low : low + count])

    def rows(self, run: ReportRun) -> QuerySet:
        return self.charged(run).values(
            "id", "company_id", "customer_id", "customer__account_code", "customer__name",
            "document_no", "due_date", "currency", "ch_days", "ch_undisputed",
            "ch_interest", "ch_interest_lcy", "ch_compensation", "ch_total_lcy",
            lcy=F("company__base_currency"), entry_id=F("id"),
        )  # fmt: skip

    def totals(self, run: ReportRun) -> list[dict]:
        """One row per base currency, summed a company at a time (each company has one
        base currency: no sort of every charged entry by a joined column)."""
        keys = ("ch_interest_lcy", "ch_compensation", "ch_total_lcy")
        by_currency: dict[str, dict] = {}
        for company in run.companies:
            sums = self.with_charges(run).filter(company=company).order_by().aggregate(
                **{f"sum_{key}": Sum(key) for key in keys}
            )  # fmt: skip
            if sums["sum_ch_total_lcy"] is None:
                continue
            row = by_currency.setdefault(company.base_currency,
                                         {"currency": company.base_currency, **dict.fromkeys(keys, 0)})  # fmt: skip
            for key in keys:
                row[key] += cents(sums[f"sum_{key}"])
        return [by_currency[currency] for currency in sorted(by_currency)]

    def subtitle(self, run: ReportRun) -> str:
        return _("As of %(day)s") % {"day": day(charges_as_of(run))}
