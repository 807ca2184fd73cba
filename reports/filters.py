"""The reports' FilterSets: one per report, serving its page, CSV, PDF and API alike.

``ReportFilterSet`` holds what every report filters on — company, controller, customer —
with choices limited to what the user may see: another company's id is refused with a
message, never silently ignored. ``customer_path`` says how to reach the customer from
the filtered model ("" when the model is the customer itself).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy

from communications.models import Dispute
from ledger.filters import OverLimitFilter
from ledger.models import Company, Customer

from .aging import BUCKET_KEYS, BUCKET_LABELS


class PersonChoiceFilter(filters.ModelChoiceFilter):
    def label_from_instance(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


class ReportFilterSet(filters.FilterSet):
    customer_path = "customer"

    company = filters.ModelChoiceFilter(
        queryset=Company.objects.none(),
        method="filter_company",
        empty_label=gettext_lazy("All companies"),
    )
    controller = filters.ModelChoiceFilter(
        queryset=get_user_model().objects.none(), method="filter_controller",
        empty_label=gettext_lazy("All controllers"), label=gettext_lazy("Controller"),
    )  # fmt: skip
    customer = filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), method="filter_customer", widget=forms.HiddenInput,
        label=gettext_lazy("Customer"),
    )  # fmt: skip
    q = filters.CharFilter(method="filter_q", label=gettext_lazy("Customer code or name"))
    over_limit = OverLimitFilter()

    def __init__(self, data=None, queryset=None, *, request=None, user=None, prefix=None):
        if request is None:
            request = SimpleNamespace(user=user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user
        companies = Company.objects.visible_to(user)
        self.filters["company"].queryset = companies
        self.filters["controller"].queryset = (
            get_user_model()
            .objects.filter(companies__in=companies)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.filters["customer"].queryset = Customer.objects.visible_to(user)
        self.filters["over_limit"].path = self.customer_path
        field = self.form.fields["controller"]
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def _path(self, name: str) -> str:
        return f"{self.customer_path}__{name}" if self.customer_path else name

    def filter_company(self, queryset, name, value):
        return queryset.filter(**{self._path("company"): value})

    def filter_controller(self, queryset, name, value):
        return queryset.filter(**{self._path("controller"): value})

    def filter_customer(self, queryset, name, value):
        return queryset.filter(**{self.customer_path or "pk": value.pk})

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(**{f"{self._path('account_code')}__istartswith": value})
            | Q(**{f"{self._path('name')}__icontains": value})
        )


class ChaseDebtFilter(ReportFilterSet):
    customer_path = ""
    follow_up_to = filters.DateFilter(
        method="filter_nothing", label=gettext_lazy("Follow-up by"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        # Applied by the report to the live communications, not to the customers.
        return queryset


class DisputedInvoiceFilter(ReportFilterSet):
    owner = filters.ModelChoiceFilter(
        queryset=get_user_model().objects.none(), field_name="owner", label=gettext_lazy("Owner"),
        empty_label=gettext_lazy("All owners"),
    )  # fmt: skip
    opened_from = filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label=gettext_lazy("Opened from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    opened_to = filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label=gettext_lazy("Opened to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = Dispute
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form exists already (the base class labelled its controller field): the
        # owner's choices go on the form's field too.
        owners = self.filters["controller"].queryset
        self.filters["owner"].queryset = owners
        field = self.form.fields["owner"]
        field.queryset = owners
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()


class AgedReceivablesFilter(ReportFilterSet):
    """Filters the customers; ``as_of`` is read by the report (default: the company's today)."""

    customer_path = ""
    as_of = filters.DateFilter(
        method="filter_nothing", label=gettext_lazy("As of"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        return queryset


class AgedEntriesFilter(AgedReceivablesFilter):
    """The drill-down: the aged report's filters plus the bucket clicked."""

    bucket = filters.ChoiceFilter(
        choices=[(k, BUCKET_LABELS[k]) for k in BUCKET_KEYS], method="filter_nothing",
        label=gettext_lazy("Age"), empty_label=gettext_lazy("Every age"),
    )  # fmt: skip
