"""The four activity reports: Past due invoices, Collector call history, Receipt promises
and Call actions. Each is declared once (``reports.base``) and served as a page, a
streamed CSV and an API endpoint from the same FilterSet (``reports.filters_activity``).

Money in an entry's or a promise's own currency is shown with that currency beside it and
never summed across currencies; totals are of the LCY columns, one row per base currency.
Times are shown in the company's time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from communications.models import (
    ActionType,
    CallAction,
    Communication,
    CommunicationType,
    ContactType,
    Promise,
    PromiseEntry,
    PromiseStatus,
)
from ledger.models import EntryType, LedgerEntry
from ledger.querysets import DEBIT_TYPE_VALUES, MONEY_FIELD, ZERO, due_before

from .base import CENT, Column, Report, ReportRun
from .debt import customer_link, entry_link, person_fields, person_name
from .filters_activity import (
    CallActionsFilter,
    CallHistoryFilter,
    PastDueInvoicesFilter,
    ReceiptPromisesFilter,
)

CUSTOMER_FIELDS = ("customer_id", "customer__account_code", "customer__name")
ENTRY_TYPES = dict(EntryType.choices)
COMMUNICATION_TYPES = dict(CommunicationType.choices)
CONTACT_TYPES = dict(ContactType.choices)
PROMISE_STATUSES = dict(PromiseStatus.choices)
BEHAVIOURS = dict(ActionType.Behaviour.choices)


def _customer_columns() -> tuple[Column, ...]:
    return (
        Column(
            "customer__account_code",
            _("Account"),
            link=customer_link,
            css="mono",
            sort="account_code",
        ),
        Column("customer__name", _("Customer"), link=customer_link, sort="customer"),
    )


CUSTOMER_SORTS = {"account_code": ("customer__account_code",), "customer": ("customer__name",)}


def communication_link(row: dict, run: ReportRun) -> str | None:
    pk = row.get("communication_id")
    return reverse("communications:communication-detail", args=[pk]) if pk else None


def _local(moment: dt.datetime | None, tz: Any) -> dt.datetime | None:
    return moment.astimezone(tz) if moment is not None else None


class _CompanyZones:
    """Each covered company's time zone, looked up once per run (not once per row)."""

    def zones(self, run: ReportRun) -> dict[int, Any]:
        cached = getattr(run, "_zones", None)
        if cached is None:
            cached = run._zones = {c.pk: c.tz for c in run.companies}
        return cached

    def local(self, row: dict, run: ReportRun, key: str) -> dt.datetime | None:
        return _local(row.get(key), self.zones(run).get(row["company_id"], dt.UTC))


def lcy_totals(rows: QuerySet, **sums: Any) -> list[dict]:
    """One totals row per base currency: ``sums`` (money) grouped by the company's base
    currency, to the cent (SQLite sums drop trailing zeros)."""
    grouped = rows.order_by().values(base_currency=F("company__base_currency")).annotate(**sums)
    return [
        {"currency": row["base_currency"], **{key: cents(row[key]) for key in sums}}
        for row in grouped.order_by("base_currency")
    ]


def cents(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


class PastDueInvoices(Report):
    """Open invoices and debit memos past their due date, most overdue first."""

    slug = "past-due-invoices"
    title = gettext_lazy("Past due invoices")
    summary = gettext_lazy(
        "Every open invoice and debit memo past its due date: customer, controller, "
        "document, amounts in its currency and in LCY, days overdue. Oldest first."
    )
    filterset_class = PastDueInvoicesFilter
    model = LedgerEntry
    # The total of every past-due entry (600,000 of a million) takes longer than the page.
    defer_totals = True
    columns = (
        *_customer_columns(),
        Column("controller_name", gettext_lazy("Controller"), sort="controller", css="nowrap"),
        Column(
            "entry_type", gettext_lazy("Type"), value=lambda r: ENTRY_TYPES.get(r["entry_type"], "")
        ),
        Column(
            "document_no", gettext_lazy("Document"), link=entry_link, css="mono", sort="document_no"
        ),
        Column("document_date", gettext_lazy("Document date"), kind="date", sort="document_date"),
        Column("due_date", gettext_lazy("Due date"), kind="date", sort="due_date"),
        Column("days_overdue", gettext_lazy("Days overdue"), kind="days", sort="days"),
        Column("currency", gettext_lazy("Currency")),
        Column("amount", gettext_lazy("Amount"), kind="money"),
        Column("remaining", gettext_lazy("Remaining"), kind="money", sort="remaining"),
        Column(
            "remaining_lcy",
            gettext_lazy("Remaining LCY"),
            kind="money",
            total=True,
            sort="remaining_lcy",
        ),
        Column("lcy", gettext_lazy("LCY")),
    )
    sorts = {
        **CUSTOMER_SORTS,
        "controller": person_fields("customer__controller"),
        "document_no": ("document_no",),
        "document_date": ("document_date",),
        "due_date": ("due_date",),
        # Most days overdue first when ascending: the earliest due date.
        "days": (F("due_date").desc(),),
        "remaining": ("remaining",),
        "remaining_lcy": ("remaining_lcy",),
    }
    not_null_sorts = frozenset(
        {"document_no", "document_date", "due_date", "days", "remaining", "remaining_lcy"}
    )
    default_sort = "due_date"

    def ordering(self, sort: str) -> list[Any]:
        if sort.lstrip("-") != "days":
            return super().ordering(sort)
        # ``days`` is the reverse of the due date: flip it rather than wrap an OrderBy.
        return super().ordering("due_date" if sort.startswith("-") else "-due_date")

    def past_due(self, run: ReportRun) -> QuerySet:
        """Open debits due before today. ``remaining > 0`` and ``remaining_lcy >= 0`` say
        nothing new (a debit's amounts are positive: the database checks it), but they
        let a sort by either amount start its index walk after the credits' negative
        amounts instead of reading 50,000 of them first; likewise a document dated before
        today (implied: due on or after its date, and due before today) for the walk by
        document date."""
        return (
            run.qs.filter(entry_type__in=DEBIT_TYPE_VALUES)
            .exclude(remaining=0)
            .filter(remaining__gt=0, remaining_lcy__gte=0)
            .filter(due_before(run.as_of), due_before(run.as_of, field="document_date"))
        )

    def page_rows(self, run: ReportRun, low: int, count: int) -> list[dict]:
        """In due-date order (the default), first find the due date the page ends on, one
        company at a time along the open-entries index by company and due date, then sort
        only the rows up to it: sorting every past-due entry of several companies at once
        (one IN list) costs seconds on a million-entry ledger."""
        if run.sort.lstrip("-") not in ("due_date", "days"):
            return super().page_rows(run, low, count)
        earliest_first = run.sort in ("due_date", "-days")
        order = "due_date" if earliest_first else "-due_date"
        bounds = []
        for company in run.companies:
            dates = list(
                self.past_due(run)
                .filter(company=company)
                .order_by(order)
                .values_list("due_date", flat=True)[: low + count]
            )
            if dates:
                bounds.append(dates[-1])
        if not bounds:
            return []
        # Every row of the first ``low + count`` in the run's order is within the bound.
        within = Q(due_date__lte=max(bounds)) if earliest_first else Q(due_date__gte=min(bounds))
        return list(run.ordered_rows().filter(within)[low : low + count])

    def rows(self, run: ReportRun) -> QuerySet:
        return self.past_due(run).values(
            "id",
            "company_id",
            *CUSTOMER_FIELDS,
            *person_fields("customer__controller"),
            "entry_type",
            "document_no",
            "document_date",
            "due_date",
            "currency",
            "amount",
            "remaining",
            "remaining_lcy",
            entry_id=F("id"),
            lcy=F("company__base_currency"),
        )

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        today = run.todays.get(row["company_id"]) or run.today()
        row["days_overdue"] = (today - row["due_date"]).days
        row["controller_name"] = person_name(row, "customer__controller")
        return row

    def totals(self, run: ReportRun) -> list[dict]:
        return lcy_totals(self.past_due(run), remaining_lcy=Sum("remaining_lcy"))


class CallHistory(_CompanyZones, Report):
    """Communications by collector over a period, newest first, with a count per collector."""

    slug = "call-history"
    title = gettext_lazy("Collector call history")
    summary = gettext_lazy(
        "Communications by collector and period: when, with whom, type, subject, outcome, "
        "follow-up and the balance when recorded; a count per collector and kind."
    )
    filterset_class = CallHistoryFilter
    model = Communication
    extra_template = "reports/_call_history_summary.html"
    columns = (
        Column("occurred", gettext_lazy("When"), kind="when", sort="occurred"),
        Column("collector_name", gettext_lazy("Collector"), sort="collector", css="nowrap"),
        *_customer_columns(),
        Column(
            "communication_type",
            gettext_lazy("Type"),
            value=lambda r: COMMUNICATION_TYPES.get(r["communication_type"], ""),
        ),
        Column(
            "contact_type",
            gettext_lazy("Contact type"),
            value=lambda r: CONTACT_TYPES.get(r["contact_type"], ""),
        ),
        Column("subject", gettext_lazy("Subject"), link=communication_link),
        Column("outcome__name", gettext_lazy("Outcome")),
        Column("follow_up_on", gettext_lazy("Follow-up"), kind="date", sort="follow_up"),
        Column(
            "status",
            gettext_lazy("Status"),
            value=lambda r: gettext("Live") if r["completed_at"] is None else gettext("Completed"),
        ),
        Column("balance_lcy", gettext_lazy("Balance when recorded"), kind="money"),
        Column("lcy", gettext_lazy("LCY")),
    )
    sorts = {
        **CUSTOMER_SORTS,
        "occurred": ("occurred_at",),
        "collector": person_fields("our_contact"),
        "follow_up": ("follow_up_on",),
    }
    default_sort = "-occurred"

    def rows(self, run: ReportRun) -> QuerySet:
        return run.qs.values(
            "id",
            "company_id",
            "occurred_at",
            *person_fields("our_contact"),
            *CUSTOMER_FIELDS,
            "communication_type",
            "contact_type",
            "subject",
            "outcome__name",
            "follow_up_on",
            "completed_at",
            "balance_lcy",
            communication_id=F("id"),
            lcy=F("company__base_currency"),
        )

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["occurred"] = self.local(row, run, "occurred_at")
        row["collector_name"] = person_name(row, "our_contact")
        return row

    def extra_context(self, run: ReportRun) -> dict:
        """A count per collector and kind of contact over the filtered communications."""
        counts = {kind: Count("id", filter=Q(contact_type=kind)) for kind in CONTACT_KINDS}
        per_collector = (
            (
                run.qs.order_by()
                .values(*person_fields("our_contact"), collector_id=F("our_contact_id"))
                .annotate(
                    total=Count("id"), live=Count("id", filter=Q(completed_at=None)), **counts
                )
                .order_by("our_contact__first_name", "our_contact__last_name", "collector_id")
            )
            if run.valid
            else []
        )
        rows = [
            {
                **row,
                "name": person_name(row, "our_contact"),
                "counts": [row[k] for k in CONTACT_KINDS],
            }
            for row in per_collector
        ]
        return {"per_collector": rows, "contact_kinds": CONTACT_KIND_LABELS}


# The per-collector counts group the contact types a manager compares side by side.
CONTACT_KINDS = tuple(value for value, _label in ContactType.choices)
CONTACT_KIND_LABELS = tuple(ContactType.choices)


def _paid_since_promise() -> Coalesce:
    """What was paid on the promise's entries since it was made (their remaining amounts
    then, less now), in the promise's currency: what decides kept or broken."""
    paid = (
        PromiseEntry.objects.filter(promise=OuterRef("pk"))
        .order_by()
        .values("promise")
        .annotate(paid=Sum(F("remaining_at_promise") - F("entry__remaining")))
        .values("paid")
    )
    return Coalesce(Subquery(paid, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD)


class ReceiptPromises(_CompanyZones, Report):
    """Promises to pay, by promised date: open, kept, broken (and cancelled)."""

    slug = "receipt-promises"
    title = gettext_lazy("Receipt promises")
    summary = gettext_lazy(
        "Promises to pay with their status (open, kept, broken, cancelled), amounts, "
        "what has been paid since, and their dates; a total per status."
    )
    filterset_class = ReceiptPromisesFilter
    model = Promise
    extra_template = "reports/_receipt_promises_summary.html"
    columns = (
        *_customer_columns(),
        Column("controller_name", gettext_lazy("Controller"), sort="controller", css="nowrap"),
        Column("made_on", gettext_lazy("Made on"), kind="date", sort="made"),
        Column("promised_on", gettext_lazy("Promised by"), kind="date", sort="promised_on"),
        Column(
            "status", gettext_lazy("Status"), value=lambda r: PROMISE_STATUSES.get(r["status"], "")
        ),
        Column("resolved_on", gettext_lazy("Resolved on"), kind="date", sort="resolved_on"),
        Column("currency", gettext_lazy("Currency")),
        Column("amount", gettext_lazy("Promised"), kind="money", sort="amount"),
        Column("paid", gettext_lazy("Paid since"), kind="money"),
        Column(
            "amount_lcy", gettext_lazy("Promised LCY"), kind="money", total=True, sort="amount_lcy"
        ),
        Column("lcy", gettext_lazy("LCY")),
        Column("taken_by", gettext_lazy("Taken by"), css="nowrap"),
    )
    sorts = {
        **CUSTOMER_SORTS,
        "controller": person_fields("customer__controller"),
        "made": ("created_at",),
        "promised_on": ("promised_on",),
        "resolved_on": ("resolved_on",),
        "amount": ("amount",),
        "amount_lcy": ("amount_lcy",),
    }
    default_sort = "promised_on"

    def rows(self, run: ReportRun) -> QuerySet:
        return run.qs.annotate(paid=_paid_since_promise()).values(
            "id",
            "company_id",
            *CUSTOMER_FIELDS,
            *person_fields("customer__controller"),
            "created_at",
            "promised_on",
            "status",
            "resolved_on",
            "currency",
            "amount",
            "paid",
            "amount_lcy",
            *person_fields("created_by"),
            "communication_id",
            lcy=F("company__base_currency"),
        )

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["made_on"] = self.local(row, run, "created_at").date()
        row["controller_name"] = person_name(row, "customer__controller")
        row["taken_by"] = person_name(row, "created_by")
        return row

    def totals(self, run: ReportRun) -> list[dict]:
        return lcy_totals(run.qs, amount_lcy=Sum("amount_lcy"))

    def extra_context(self, run: ReportRun) -> dict:
        """Count and LCY total per status and base currency, in one grouped query."""
        if not run.valid:
            return {"per_status": []}
        grouped = (
            run.qs.order_by()
            .values("status", base_currency=F("company__base_currency"))
            .annotate(count=Count("id"), amount_lcy=Sum("amount_lcy"))
        )
        by_key = {
            (row["status"], row["base_currency"]): {
                "count": row["count"],
                "amount_lcy": cents(row["amount_lcy"]),
                "currency": row["base_currency"],
            }
            for row in grouped
        }
        currencies = sorted({currency for _status, currency in by_key})
        per_status = [
            {
                "status": status,
                "label": label,
                "figures": [
                    by_key.get(
                        (status, ccy), {"count": 0, "amount_lcy": ZERO.value, "currency": ccy}
                    )
                    for ccy in currencies
                ],
            }
            for status, label in PromiseStatus.choices
        ]
        return {"per_status": per_status, "status_currencies": currencies}


class CallActions(_CompanyZones, Report):
    """Call actions recorded on communications, newest first, with a count per action type."""

    slug = "call-actions"
    title = gettext_lazy("Call actions")
    summary = gettext_lazy(
        "Next steps recorded on communications, by action type (alerts, calls, credit memo "
        "requests, partial disputes, ...): customer, entry, amount, response, by whom."
    )
    filterset_class = CallActionsFilter
    model = CallAction
    extra_template = "reports/_call_actions_summary.html"
    columns = (
        Column("recorded", gettext_lazy("Recorded"), kind="when", sort="recorded"),
        Column("action_type__name", gettext_lazy("Action type"), sort="action_type"),
        *_customer_columns(),
        Column("entry__document_no", gettext_lazy("Entry"), link=entry_link, css="mono"),
        Column("amount", gettext_lazy("Amount"), kind="money", sort="amount"),
        Column("currency", gettext_lazy("Currency")),
        Column("response__name", gettext_lazy("Response")),
        Column("notes", gettext_lazy("Notes"), css="notes"),
        Column("recorded_by", gettext_lazy("By"), css="nowrap"),
        Column("communication__subject", gettext_lazy("Communication"), link=communication_link),
    )
    sorts = {
        **CUSTOMER_SORTS,
        "recorded": ("created_at",),
        "action_type": ("action_type__name",),
        "amount": ("amount",),
    }
    default_sort = "-recorded"

    def rows(self, run: ReportRun) -> QuerySet:
        # An amount is in the entry's currency, or the customer's for a customer-wide action.
        return run.qs.values(
            "id",
            "company_id",
            "created_at",
            "action_type__name",
            "action_type__behaviour",
            *CUSTOMER_FIELDS,
            "entry_id",
            "entry__document_no",
            "amount",
            "response__name",
            "notes",
            *person_fields("created_by"),
            "communication_id",
            "communication__subject",
            currency=Coalesce(F("entry__currency"), F("customer__currency")),
        )

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        row["recorded"] = self.local(row, run, "created_at")
        row["recorded_by"] = person_name(row, "created_by")
        return row

    def extra_context(self, run: ReportRun) -> dict:
        """Per action type: how many, and their amounts summed per currency."""
        if not run.valid:
            return {"per_type": []}
        grouped = (
            run.qs.order_by()
            .values(
                "action_type_id",
                "action_type__name",
                "action_type__behaviour",
                currency=Coalesce(F("entry__currency"), F("customer__currency")),
            )
            .annotate(count=Count("id"), amount=Sum("amount"))
            .order_by("action_type__name", "currency")
        )
        per_type: dict[int, dict] = {}
        for row in grouped:
            entry = per_type.setdefault(
                row["action_type_id"],
                {
                    "id": row["action_type_id"],
                    "name": row["action_type__name"],
                    "behaviour": BEHAVIOURS.get(row["action_type__behaviour"], ""),
                    "count": 0,
                    "amounts": [],
                },
            )
            entry["count"] += row["count"]
            if row["amount"] is not None:
                entry["amounts"].append((cents(row["amount"]), row["currency"]))
        return {"per_type": list(per_type.values())}


ACTIVITY_REPORTS: tuple[Report, ...] = (
    PastDueInvoices(),
    CallHistory(),
    ReceiptPromises(),
    CallActions(),
)
