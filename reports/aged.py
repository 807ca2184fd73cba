"""Aged receivables as of any date, per customer and in total, with a drill-down to the
entries behind each figure. How a past date is reconstructed: ``reports/aging.py``.

Every figure links to the drill-down with the same filters, the same date and its
bucket, and the drill-down's total is the figure to the penny: both sum the same
``remaining_lcy_as_of`` of the same entries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.templatetags.ui import day
from ledger.balances import kept_as_of
from ledger.models import Application, Customer, CustomerBalance, LedgerEntry

from .aging import (
    BUCKET_KEYS,
    BUCKET_LABELS,
    bucket_q,
    bucket_sums,
    days_overdue_on,
    open_entries_on,
    remaining_as_of,
)
from .base import Column, Report, ReportRun
from .debt import CUSTOMER_ENTRY_COLUMNS, customer_link, person_fields, person_name
from .filters import AgedEntriesFilter, AgedReceivablesFilter

DRILL_DOWN_KEEPS = ("company", "controller", "q", "customer", "over_limit")
KEPT_COLUMN = {"total": "aged_total"}  # the kept column of a sort, where its name differs


def as_of_of(run: ReportRun) -> dt.date:
    """The report's date: the one asked for, else today in the company's time zone."""
    return run.filters.get("as_of") or run.today()


def entries_in_scope(run: ReportRun) -> QuerySet:
    """The entries open on the report's date, of the filtered customers; by company
    alone when no filter narrows the customers (see ``open_entries_on``)."""
    companies = [company.pk for company in run.companies]
    if run.customer_filtered:
        return open_entries_on(as_of_of(run), customers=run.qs, companies=companies)
    return open_entries_on(as_of_of(run), companies=companies)


def drill_down(bucket: str | None):
    """A column's link to the entries behind one of its figures."""

    def link(row: dict, run: ReportRun) -> str:
        params: dict[str, Any] = {}
        for name in DRILL_DOWN_KEEPS:
            value = run.filters.get(name)
            if isinstance(value, bool):
                params[name] = "true" if value else "false"
            elif value not in (None, ""):
                params[name] = getattr(value, "pk", value)
        if row.get("customer_id"):
            params["customer"] = row["customer_id"]
        params["as_of"] = as_of_of(run).isoformat()
        if bucket:
            params["bucket"] = bucket
        return f"{reverse('reports:aged-receivables-entries')}?{urlencode(params)}"

    return link


class AgedReceivables(Report):
    """What each customer owed on a date, by how overdue it was, in LCY."""

    slug = "aged-receivables"
    title = gettext_lazy("Aged receivables")
    summary = gettext_lazy(
        "As of any date, per customer and in total, in LCY: not yet due, 1-30, 31-60, "
        "61-90 and over 90 days overdue, with the entries behind each figure."
    )
    filterset_class = AgedReceivablesFilter
    model = Customer
    has_pdf = True
    defer_totals = True
    subtitle_filters = ("as_of",)
    columns = (
        Column(
            "account_code",
            gettext_lazy("Account"),
            link=customer_link,
            css="mono",
            sort="account_code",
        ),
        Column("name", gettext_lazy("Customer"), link=customer_link, sort="name"),
        Column("controller_name", gettext_lazy("Controller")),
        *(
            Column(
                key, BUCKET_LABELS[key], kind="money", total=True, link=drill_down(key), sort=key
            )
            for key in BUCKET_KEYS
        ),
        Column(
            "total",
            gettext_lazy("Total"),
            kind="money",
            total=True,
            link=drill_down(None),
            sort="total",
        ),
        Column("lcy", gettext_lazy("LCY")),
    )
    sorts = {
        "name": ("name",),
        "account_code": ("account_code",),
        "total": ("total",),
        **{key: (key,) for key in BUCKET_KEYS},
    }
    default_sort = "name"
    tie_breaker = "customer_id"
    # Sorts on the customer alone page through the customers first (see page_rows).
    customer_sorts = {"name": ("name", "pk"), "account_code": ("account_code", "pk")}

    def subtitle(self, run: ReportRun) -> str:
        return _("As of %(day)s") % {"day": day(as_of_of(run))}

    def entries(self, run: ReportRun) -> QuerySet:
        return entries_in_scope(run)

    def rows(self, run: ReportRun) -> QuerySet:
        return (
            self.entries(run)
            .order_by()
            .values("customer_id", *person_fields("customer__controller"))
            .annotate(
                account_code=F("customer__account_code"),
                name=F("customer__name"),
                lcy=F("company__base_currency"),
                **bucket_sums(as_of_of(run)),
            )
        )

    def page_rows(self, run: ReportRun, low: int, count: int) -> list[dict]:
        """By name or account: the page's customers first (those with an entry open on the
        date, walked in order on the customer table), then only their entries summed.
        A sort on an amount needs every customer's sums: one grouped pass."""
        sort = run.sort
        if sort.lstrip("-") not in self.customer_sorts:
            return self._page_by_amount(run, low, count)
        as_of = as_of_of(run)
        open_then = remaining_as_of(LedgerEntry.objects.filter(customer=OuterRef("pk")), as_of)
        fields = self.customer_sorts[sort.lstrip("-")]
        order = [f"-{f}" if sort.startswith("-") else f for f in fields]
        ids = list(
            run.qs.filter(Exists(open_then))
            .order_by(*order)
            .values_list("pk", flat=True)[low : low + count]
        )
        by_id = {row["customer_id"]: row for row in self.rows(run).filter(customer_id__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def _page_by_amount(self, run: ReportRun, low: int, count: int) -> list[dict]:
        """Sorted on an amount: the page's customer ids from the kept aged figures when
        they are as of the report's date (today, nothing applied after it), else from
        the sums grouped by customer id alone (no join to names while a million entries
        are summed); then their rows."""
        key = run.sort.lstrip("-")
        companies = [company.pk for company in run.companies]
        if self.kept_answers(run):
            ids = run.qs.filter(company_id__in=companies).page_ids_by_kept(
                KEPT_COLUMN.get(key, key), descending=run.sort.startswith("-"),
                offset=low, limit=count, aged_entry_count__gt=0,
            )  # fmt: skip
            # The page's figures from the kept rows too: the largest customers hold
            # thousands of entries each, and summing them again costs 300-400 ms.
            kept = CustomerBalance.objects.filter(customer_id__in=ids).values(
                "customer_id", *person_fields("customer__controller"), *BUCKET_KEYS,
                account_code=F("customer__account_code"), name=F("customer__name"),
                lcy=F("company__base_currency"), total=F("aged_total"),
            )  # fmt: skip
            by_id = {row["customer_id"]: row for row in kept}
            return [by_id[pk] for pk in ids if pk in by_id]
        return self._page_by_entries(run, low, count)

    def _page_by_entries(self, run: ReportRun, low: int, count: int) -> list[dict]:
        key = run.sort.lstrip("-")
        sums = bucket_sums(as_of_of(run))
        order = F("amount").desc() if run.sort.startswith("-") else F("amount").asc()
        tie = F("customer_id").desc() if run.sort.startswith("-") else F("customer_id").asc()
        ids = list(
            self.entries(run)
            .order_by()
            .values("customer_id")
            .annotate(amount=sums[key])
            .order_by(order, tie)
            .values_list("customer_id", flat=True)[low : low + count]
        )
        by_id = {row["customer_id"]: row for row in self.rows(run).filter(customer_id__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["controller_name"] = person_name(row, "customer__controller")
        return row

    def kept_answers(self, run: ReportRun) -> bool:
        """The kept aged figures are the report's on its date: every covered company's
        kept date is the report's, and nothing was applied after it (else a past
        remaining amount would differ from today's; ``reports/aging.py``)."""
        as_of = as_of_of(run)
        companies = [company.pk for company in run.companies]
        return kept_as_of(companies, as_of) and not (
            Application.objects.filter(applied_on__gt=as_of).exists()
        )

    def totals(self, run: ReportRun) -> list[dict]:
        """Per base currency: from the kept figures of the report's customers when they
        answer (100,000 small rows instead of a million entries), else from the entries."""
        if self.kept_answers(run):
            companies = [company.pk for company in run.companies]
            kept = CustomerBalance.objects.filter(
                customer__in=run.qs.filter(company_id__in=companies).order_by().values("pk")
            )
            sums = {key: Sum(key) for key in BUCKET_KEYS}
            rows = (
                kept.order_by().values(lcy=F("company__base_currency"))
                .annotate(**sums, total=Sum("aged_total"), n=Sum("aged_entry_count"))
                .filter(n__gt=0).order_by("lcy")
            )  # fmt: skip
            return [{**row, "currency": row.pop("lcy")} for row in rows if row.pop("n")]
        return self.entry_totals(run)

    def entry_totals(self, run: ReportRun) -> list[dict]:
        rows = (
            self.entries(run).order_by().values(lcy=F("company__base_currency"))
            .annotate(**bucket_sums(as_of_of(run))).order_by("lcy")
        )  # fmt: skip
        return [{**row, "currency": row.pop("lcy")} for row in rows]


class AgedEntries(Report):
    """The drill-down: the entries open on the date, in one bucket or all."""

    slug = "aged-receivables-entries"
    path = "aged-receivables/entries"
    title = gettext_lazy("Aged receivables: entries")
    summary = gettext_lazy("The open entries behind a figure of the aged receivables report.")
    listed = False
    defer_totals = True
    subtitle_filters = ("as_of", "bucket")
    filterset_class = AgedEntriesFilter
    model = Customer
    columns = (
        *CUSTOMER_ENTRY_COLUMNS,
        Column("document_date", gettext_lazy("Date"), kind="date", sort="document_date"),
        Column("due_date", gettext_lazy("Due"), kind="date", sort="due_date"),
        Column("days_overdue", gettext_lazy("Days overdue"), kind="days"),
        Column("currency", gettext_lazy("Ccy")),
        Column("amount", gettext_lazy("Amount"), kind="money"),
        Column("remaining_as_of", gettext_lazy("Remaining then"), kind="money"),
        Column(
            "remaining_lcy_as_of",
            gettext_lazy("Remaining (LCY)"),
            kind="money",
            total=True,
            sort="remaining_lcy",
        ),
        Column("lcy", gettext_lazy("LCY")),
    )
    sorts = {
        "due_date": ("due_date",),
        "document_date": ("document_date",),
        "document_no": ("document_no",),
        "account_code": ("account_code",),
        "customer": ("customer_name",),
        "remaining_lcy": ("remaining_lcy_as_of",),
    }
    not_null_sorts = frozenset({"due_date", "document_date", "document_no", "remaining_lcy"})
    default_sort = "due_date"

    def subtitle(self, run: ReportRun) -> str:
        bucket = run.filters.get("bucket")
        as_of = day(as_of_of(run))
        if not bucket:
            return _("As of %(day)s") % {"day": as_of}
        if bucket == "not_due":
            return _("%(bucket)s, as of %(day)s") % {"bucket": BUCKET_LABELS[bucket], "day": as_of}
        return _("%(bucket)s days overdue, as of %(day)s") % {
            "bucket": BUCKET_LABELS[bucket], "day": as_of}  # fmt: skip

    def entries(self, run: ReportRun) -> QuerySet:
        as_of = as_of_of(run)
        entries = entries_in_scope(run)
        if run.filters.get("bucket"):
            entries = entries.filter(bucket_q(run.filters["bucket"], as_of))
        return entries

    def rows(self, run: ReportRun) -> QuerySet:
        return self.entries(run).values(
            "id", "customer_id", "entry_type", "document_no", "document_date", "due_date",
            "currency", "amount", "remaining_as_of", "remaining_lcy_as_of",
            account_code=F("customer__account_code"), customer_name=F("customer__name"),
            lcy=F("company__base_currency"), entry_id=F("id"),
        )  # fmt: skip

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["days_overdue"] = days_overdue_on(row["due_date"], as_of_of(run))
        return row

    def totals(self, run: ReportRun) -> list[dict]:
        rows = (
            self.entries(run).order_by().values(lcy=F("company__base_currency"))
            .annotate(total=Sum("remaining_lcy_as_of")).order_by("lcy")
        )  # fmt: skip
        return [{"currency": r["lcy"], "remaining_lcy_as_of": r["total"]} for r in rows]


__all__ = ["AgedEntries", "AgedReceivables", "as_of_of"]
