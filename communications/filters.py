"""FilterSets of the workbench, shared by the pages and the API (one place each)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy

from creditcontrol.filters import UtcIsoDateTimeFilter

from .models import (
    CallAction,
    Communication,
    CommunicationType,
    Dispute,
    EntryNote,
    EntryStatus,
    Notification,
    Promise,
    PromiseStatus,
    ToDo,
    ToDoKind,
)


class CommunicationFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    our_contact = filters.NumberFilter(field_name="our_contact_id")
    communication_type = filters.ChoiceFilter(choices=CommunicationType.choices)
    live = filters.BooleanFilter(
        field_name="completed_at", lookup_expr="isnull", label=gettext_lazy("Live")
    )
    outcome = filters.NumberFilter(field_name="outcome_id")
    entry = filters.NumberFilter(
        field_name="entries", label=gettext_lazy("Covers this ledger entry")
    )
    occurred_from = UtcIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_to = UtcIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")
    follow_up_before = filters.DateFilter(field_name="follow_up_on", lookup_expr="lte")

    class Meta:
        model = Communication
        fields = ["contact_type"]


class CallActionFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    communication = filters.NumberFilter(field_name="communication_id")
    entry = filters.NumberFilter(field_name="entry_id")
    action_type = filters.NumberFilter(field_name="action_type_id")
    behaviour = filters.CharFilter(field_name="action_type__behaviour")
    created_from = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = CallAction
        fields = []


class DisputeFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    entry = filters.NumberFilter(field_name="entry_id")
    owner = filters.NumberFilter(field_name="owner_id")
    is_open = filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=gettext_lazy("Open")
    )
    opened_from = filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_to = filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    class Meta:
        model = Dispute
        fields = []


class PromiseFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    communication = filters.NumberFilter(field_name="communication_id")
    entry = filters.NumberFilter(
        field_name="entries", label=gettext_lazy("Covers this ledger entry")
    )
    status = filters.MultipleChoiceFilter(choices=PromiseStatus.choices)
    promised_from = filters.DateFilter(field_name="promised_on", lookup_expr="gte")
    promised_to = filters.DateFilter(field_name="promised_on", lookup_expr="lte")

    class Meta:
        model = Promise
        fields = []


class ToDoFilter(filters.FilterSet):
    """The To-do list's filters: ``show`` = open / closed / mine / due_today / overdue
    (the page's buttons), plus owner, customer, company and kind for the API."""

    SHOW = (
        ("open", gettext_lazy("Open")),
        ("closed", gettext_lazy("Closed")),
        ("mine", gettext_lazy("Mine (open)")),
        ("due_today", gettext_lazy("Due today")),
        ("overdue", gettext_lazy("Overdue")),
    )

    show = filters.ChoiceFilter(choices=SHOW, method="filter_show", label=gettext_lazy("Show"))
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    owner = filters.NumberFilter(field_name="owner_id")
    kind = filters.ChoiceFilter(choices=ToDoKind.choices)
    status = filters.ChoiceFilter(choices=ToDo.Status.choices)
    due_from = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ToDo
        fields = []

    def filter_show(self, queryset, name, value):
        """Due today and overdue are decided in each to-do's company's own time zone."""
        from ledger.models import Company

        if value == "open":
            return queryset.open()
        if value == "closed":
            return queryset.closed()
        if value == "mine":
            return queryset.open().owned_by(self.request.user)
        todays = Company.objects.filter(pk__in=queryset.values("company_id")).todays()
        lookup = "due_on" if value == "due_today" else "due_on__lt"
        q = Q(pk__in=[])
        for company_id, day in todays.items():
            q |= Q(company_id=company_id, **{lookup: day})
        return queryset.open().filter(q)


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=gettext_lazy("Unread")
    )

    class Meta:
        model = Notification
        fields = []


class EntryStatusFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="entry__customer_id")
    entry = filters.NumberFilter(field_name="entry_id")
    status_code = filters.NumberFilter(field_name="status_code_id")

    class Meta:
        model = EntryStatus
        fields = []


class EntryNoteFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="entry__customer_id")
    entry = filters.NumberFilter(field_name="entry_id")
    communication = filters.NumberFilter(field_name="communication_id")

    class Meta:
        model = EntryNote
        fields = []
