"""The Chase Debt and Disputed Invoice reports.

Chase Debt lists the customers a controller is chasing: those with at least one live
communication. Its follow-up date is the earliest over the *live communications only*
(a completed one no longer counts; open to-dos are not communications), its promised
payment the amount (LCY) and earliest date over the live promises, as the customer list
shows them. Disputed Invoice lists every open dispute with the entry it concerns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.urls import reverse
from django.utils.translation import gettext_lazy

from communications.models import Communication, Dispute, Promise
from communications.querysets import per_customer
from ledger.models import Customer, LedgerEntry
from ledger.querysets import MONEY_FIELD, ZERO, due_before

from .base import Column, Report, ReportRun
from .filters import ChaseDebtFilter, DisputedInvoiceFilter


def person_name(row: dict, prefix: str) -> str:
    first, last = row.get(f"{prefix}__first_name") or "", row.get(f"{prefix}__last_name") or ""
    return f"{first} {last}".strip() or (row.get(f"{prefix}__username") or "")


def person_fields(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username")


def customer_link(row: dict, run: ReportRun) -> str | None:
    customer_id = row.get("customer_id")
    return reverse("ledger:customer-card", args=[customer_id]) if customer_id else None


class ChaseDebt(Report):
    """Customers with live communications, soonest follow-up first."""

    slug = "chase-debt"
    title = gettext_lazy("Chase Debt")
    summary = gettext_lazy(
        "Customers with live communications: balance, overdue, promised amount and date, "
        "earliest follow-up date, controller and number of live communications."
    )
    filterset_class = ChaseDebtFilter
    model = Customer
    has_pdf = True
    defer_totals = True
    columns = (
        Column(
            "account_code",
            gettext_lazy("Account"),
            link=customer_link,
            css="mono",
            sort="account_code",
        ),
        Column("name", gettext_lazy("Customer"), link=customer_link, sort="name"),
        Column("controller_name", gettext_lazy("Controller"), sort="controller"),
        Column("follow_up_on", gettext_lazy("Follow-up"), kind="date", sort="follow_up"),
        Column(
            "live_communications", gettext_lazy("Live comms"), kind="int", total=True, sort="live"
        ),
        Column("balance_lcy", gettext_lazy("Balance"), kind="money", total=True, sort="balance"),
        Column("overdue_lcy", gettext_lazy("Overdue"), kind="money", total=True, sort="overdue"),
        Column("promised_lcy", gettext_lazy("Promised"), kind="money", total=True, sort="promised"),
        Column("promised_on", gettext_lazy("Promised by"), kind="date", sort="promised_on"),
        Column("lcy", gettext_lazy("LCY")),
    )
    sorts = {
        "follow_up": ("follow_up_on",),
        "account_code": ("account_code",),
        "name": ("name",),
        "controller": person_fields("controller"),
        "live": ("live_communications",),
        "balance": ("balance_lcy",),
        "overdue": ("overdue_lcy",),
        "promised": ("promised_lcy",),
        "promised_on": ("promised_on",),
    }
    default_sort = "follow_up"

    def chased(self, run: ReportRun) -> QuerySet:
        """The filtered customers with a live communication, with their follow-up date."""
        live = Communication.objects.live()
        customers = run.qs.filter(Exists(live.filter(customer=OuterRef("pk")))).annotate(
            follow_up_on=per_customer(live.exclude(follow_up_on=None), first=Min("follow_up_on"))
        )
        if run.filters.get("follow_up_to"):
            customers = customers.filter(follow_up_on__lte=run.filters["follow_up_to"])
        return customers

    def rows(self, run: ReportRun) -> QuerySet:
        promises = Promise.objects.live()
        return (
            self.chased(run)
            .with_balances(run.as_of)
            .annotate(
                customer_id=F("pk"),
                lcy=F("company__base_currency"),
                live_communications=Coalesce(
                    per_customer(Communication.objects.live(), n=Count("*")), Value(0)
                ),
                promised_lcy=Coalesce(
                    per_customer(promises, total=Sum("amount_lcy")),
                    ZERO,
                    output_field=MONEY_FIELD,
                ),
                promised_on=per_customer(promises, first=Min("promised_on")),
            )
            .values(
                "id",
                "customer_id",
                "account_code",
                "name",
                "lcy",
                "follow_up_on",
                "live_communications",
                "balance_lcy",
                "overdue_lcy",
                "promised_lcy",
                "promised_on",
                *person_fields("controller"),
            )
        )

    def page_rows(self, run: ReportRun, low: int, count: int) -> list[dict]:
        """Sorted by balance or overdue: the page's ids from the kept balances (an index
        walk that stops at the page; ``CustomerQuerySet.page_ids_by_total``), then only
        their rows. Other sorts: the rows in order."""
        key = run.sort.lstrip("-")
        if key not in ("balance", "overdue"):
            return super().page_rows(run, low, count)
        ids = self.chased(run).page_ids_by_total(
            total=key, as_of=run.as_of, descending=run.sort.startswith("-"),
            offset=low, limit=count,
        )  # fmt: skip
        by_id = {row["customer_id"]: row for row in self.rows(run).filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["controller_name"] = person_name(row, "controller")
        return row

    def totals(self, run: ReportRun) -> list[dict]:
        """Per base currency, summed over the entries, promises and communications of
        the chased customers (one grouped query each, not a sum of the rows shown)."""
        chased = self.chased(run).order_by().values("pk")
        ccy = {"lcy": F("company__base_currency")}
        overdue = Q(entry_type__in=("invoice", "debit_memo")) & due_before(run.as_of)
        totals: dict[str, dict] = {}

        def merge(rows):
            for row in rows:
                totals.setdefault(row.pop("lcy"), {}).update(row)

        merge(
            LedgerEntry.objects.open().filter(customer__in=chased).order_by().values(**ccy)
            .annotate(balance_lcy=Sum("remaining_lcy"), overdue_lcy=Coalesce(Sum(Case(
                When(overdue, then=F("remaining_lcy")), default=ZERO)), ZERO))
        )  # fmt: skip
        merge(
            Promise.objects.live().filter(customer__in=chased).order_by().values(**ccy)
            .annotate(promised_lcy=Sum("amount_lcy"))
        )  # fmt: skip
        merge(
            Communication.objects.live().filter(customer__in=chased).order_by().values(**ccy)
            .annotate(live_communications=Count("*"))
        )  # fmt: skip
        out = []
        for currency in sorted(totals):
            row = {"balance_lcy": ZERO_D, "overdue_lcy": ZERO_D, "promised_lcy": ZERO_D,
                   "live_communications": 0, **totals[currency], "currency": currency}  # fmt: skip
            out.append(row)
        return out


ZERO_D = ZERO.value


def entry_link(row: dict, run: ReportRun) -> str | None:
    entry_id = row.get("entry_id")
    return reverse("communications:entry-detail", args=[entry_id]) if entry_id else None


ENTRY_TYPE_LABELS = {"invoice": gettext_lazy("Invoice"), "debit_memo": gettext_lazy("Debit memo"),
                     "credit_note": gettext_lazy("Credit note"),
                     "payment": gettext_lazy("Payment")}  # fmt: skip

# The first columns of every list of entries: whose, which kind, which document.
CUSTOMER_ENTRY_COLUMNS = (
    Column(
        "account_code", gettext_lazy("Account"), link=customer_link, css="mono", sort="account_code"
    ),
    Column("customer_name", gettext_lazy("Customer"), link=customer_link, sort="customer"),
    Column(
        "entry_type",
        gettext_lazy("Type"),
        value=lambda r: ENTRY_TYPE_LABELS.get(r["entry_type"], ""),
        css="nowrap",
    ),
    Column(
        "document_no", gettext_lazy("Document"), link=entry_link, css="mono", sort="document_no"
    ),
)


class DisputedInvoice(Report):
    """Entries with an open dispute, longest in dispute first."""

    slug = "disputed-invoices"
    title = gettext_lazy("Disputed Invoice")
    summary = gettext_lazy(
        "Entries with an open dispute: customer, document, entry, remaining and disputed "
        "amounts, reason, owner and days in dispute."
    )
    filterset_class = DisputedInvoiceFilter
    model = Dispute
    has_pdf = True
    columns = (
        *CUSTOMER_ENTRY_COLUMNS,
        Column("due_date", gettext_lazy("Due"), kind="date", sort="due_date"),
        Column("currency", gettext_lazy("Ccy")),
        Column("entry_amount", gettext_lazy("Entry amount"), kind="money"),
        Column("remaining", gettext_lazy("Remaining"), kind="money", sort="remaining"),
        Column("disputed", gettext_lazy("Disputed"), kind="money", sort="disputed"),
        Column(
            "disputed_lcy",
            gettext_lazy("Disputed (LCY)"),
            kind="money",
            total=True,
            sort="disputed",
        ),
        Column("lcy", gettext_lazy("LCY")),
        Column("reason", gettext_lazy("Reason"), css="wrap"),
        Column("owner_name", gettext_lazy("Owner"), sort="owner"),
        Column("opened_on", gettext_lazy("Opened"), kind="date", sort="opened"),
        Column("days_in_dispute", gettext_lazy("Days"), kind="days"),
    )
    sorts = {
        "opened": ("opened_on",),
        "account_code": ("account_code",),
        "customer": ("customer_name",),
        "document_no": ("document_no",),
        "due_date": ("due_date",),
        "remaining": ("remaining",),
        "disputed": ("disputed_lcy",),
        "owner": person_fields("owner"),
    }
    default_sort = "opened"

    def base_queryset(self, user: Any) -> QuerySet:
        return Dispute.objects.visible_to(user).open()

    def rows(self, run: ReportRun) -> QuerySet:
        return run.qs.annotate(
            account_code=F("customer__account_code"),
            customer_name=F("customer__name"),
            entry_type=F("entry__entry_type"),
            document_no=F("entry__document_no"),
            due_date=F("entry__due_date"),
            currency=F("entry__currency"),
            entry_amount=F("entry__amount"),
            remaining=F("entry__remaining"),
            disputed=F("amount"),
            # The ledger's own rule: the entry's rate, rounded half-up to the cent.
            disputed_lcy=Round(
                F("amount") * F("entry__exchange_rate"), 2, output_field=MONEY_FIELD
            ),
            lcy=F("company__base_currency"),
        ).values(
            "id",
            "company_id",
            "customer_id",
            "entry_id",
            "account_code",
            "customer_name",
            "entry_type",
            "document_no",
            "due_date",
            "currency",
            "entry_amount",
            "remaining",
            "disputed",
            "disputed_lcy",
            "lcy",
            "reason",
            "opened_on",
            *person_fields("owner"),
        )

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["owner_name"] = person_name(row, "owner")
        today = run.todays.get(row["company_id"]) or run.today()
        row["days_in_dispute"] = (today - row["opened_on"]).days
        return row

    def totals(self, run: ReportRun) -> list[dict]:
        rows = (
            self.rows(run).order_by().values("lcy")
            .annotate(total=Sum("disputed_lcy"), n=Count("id")).order_by("lcy")
        )  # fmt: skip
        return [{"currency": r["lcy"], "disputed_lcy": r["total"], "count": r["n"]} for r in rows]
