"""FilterSets of the four activity reports (past due invoices, collector call history,
receipt promises, call actions): one each, for the page, the CSV and the API alike.

Dates typed into a filter are days in the company's time zone: a communication at 23:30
in London on 31 March belongs to 31 March however the server's clock is set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy

from communications.models import (
    ActionType,
    CallAction,
    Communication,
    CommunicationType,
    ContactType,
    Promise,
    PromiseStatus,
)
from ledger.models import Company, LedgerEntry

from .aging import BUCKET_KEYS, BUCKET_LABELS, bucket_q
from .filters import ReportFilterSet

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def _date_filter(label: str, **kwargs: Any) -> filters.DateFilter:
    return filters.DateFilter(label=label, **DATE, **kwargs)


class ActivityFilterSet(ReportFilterSet):
    """The company is a column of every activity model: filter on it directly."""

    def filter_company(self, queryset, name, value):
        return queryset.filter(company=value)

    def chosen_company(self) -> Company | None:
        """The company filtered on, else the user's first (whose time zone dates are read in)."""
        company = (
            self.form.cleaned_data.get("company") if hasattr(self.form, "cleaned_data") else None
        )
        return company or self.filters["company"].queryset.order_by("name").first()

    def day_start(self, day: dt.date) -> dt.datetime:
        """Midnight at the start of ``day`` in the company's time zone."""
        company = self.chosen_company()
        tz = company.tz if company else dt.UTC
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    def filter_from(self, queryset, name, value):
        return queryset.filter(**{f"{name}__gte": self.day_start(value)})

    def filter_to(self, queryset, name, value):
        return queryset.filter(**{f"{name}__lt": self.day_start(value + dt.timedelta(days=1))})


class PastDueInvoicesFilter(ActivityFilterSet):
    """Open invoices and debit memos past their due date; ``age`` narrows to one bucket."""

    age = filters.ChoiceFilter(
        choices=[(k, BUCKET_LABELS[k]) for k in BUCKET_KEYS if k != "not_due"],
        method="filter_age",
        label=gettext_lazy("Days overdue"),
        empty_label=gettext_lazy("Any"),
    )
    due_from = _date_filter("Due from", field_name="due_date", lookup_expr="gte")
    due_to = _date_filter("Due to", field_name="due_date", lookup_expr="lte")
    currency = filters.CharFilter(
        label=gettext_lazy("Currency"), lookup_expr="iexact", max_length=3
    )

    class Meta:
        model = LedgerEntry
        fields: list[str] = []

    def filter_age(self, queryset, name, value):
        company = self.chosen_company()
        return queryset.filter(bucket_q(value, company.today())) if company else queryset


class CallHistoryFilter(ActivityFilterSet):
    """Communications by the collector who made them (our contact) over a period."""

    occurred_from = _date_filter("From", field_name="occurred_at", method="filter_from")
    occurred_to = _date_filter("To", field_name="occurred_at", method="filter_to")
    communication_type = filters.ChoiceFilter(
        choices=CommunicationType.choices,
        label=gettext_lazy("Type"),
        empty_label=gettext_lazy("Any type"),
    )
    contact_type = filters.ChoiceFilter(
        choices=ContactType.choices,
        label=gettext_lazy("Contact type"),
        empty_label=gettext_lazy("Any contact type"),
    )
    status = filters.ChoiceFilter(
        choices=[("live", gettext_lazy("Live")), ("completed", gettext_lazy("Completed"))],
        method="filter_status",
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("Live and completed"),
    )

    class Meta:
        model = Communication
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["controller"].label = "Collector"
        self.form.fields["controller"].empty_label = "All collectors"

    def filter_status(self, queryset, name, value):
        return queryset.filter(completed_at__isnull=value == "live")

    def filter_controller(self, queryset, name, value):
        # The collector is whoever made the contact, not the customer's controller.
        return queryset.filter(our_contact=value)


class ReceiptPromisesFilter(ActivityFilterSet):
    status = filters.ChoiceFilter(
        choices=PromiseStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("Any status"),
    )
    promised_from = _date_filter("Promised from", field_name="promised_on", lookup_expr="gte")
    promised_to = _date_filter("Promised to", field_name="promised_on", lookup_expr="lte")
    resolved_from = _date_filter("Resolved from", field_name="resolved_on", lookup_expr="gte")
    resolved_to = _date_filter("Resolved to", field_name="resolved_on", lookup_expr="lte")

    class Meta:
        model = Promise
        fields: list[str] = []


class CallActionsFilter(ActivityFilterSet):
    action_type = filters.ModelChoiceFilter(
        queryset=ActionType.objects.all(),
        label=gettext_lazy("Action type"),
        empty_label=gettext_lazy("Every action type"),
    )
    behaviour = filters.ChoiceFilter(
        field_name="action_type__behaviour",
        choices=ActionType.Behaviour.choices,
        label=gettext_lazy("What it does"),
        empty_label=gettext_lazy("Anything"),
    )
    created_from = _date_filter("From", field_name="created_at", method="filter_from")
    created_to = _date_filter("To", field_name="created_at", method="filter_to")

    class Meta:
        model = CallAction
        fields: list[str] = []
