"""FilterSets of the follow-ups, shared by the pages and the API (one place each).

Dates that decide something (is a postponed proposal due again, is an exclusion still in
effect) are each company's own today, as the engine sees them.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy

from creditcontrol.filters import UtcIsoDateTimeFilter
from ledger.models import Company, Customer, LedgerEntry

from .models import (
    Channel,
    FollowUpAction,
    FollowUpLevel,
    FollowUpPlan,
    FollowUpRun,
    OutboxMessage,
    Proposal,
    ProposalStatus,
)


def _per_company(queryset, lookup: str, company_field: str = "company_id") -> Q:
    """``lookup`` compared with each company's own today (the companies in ``queryset``)."""
    todays = Company.objects.filter(pk__in=queryset.values(company_field)).todays()
    q = Q(pk__in=[])
    for company_id, day in todays.items():
        q |= Q(**{company_field: company_id, lookup: day})
    return q


class FollowUpPlanFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")

    class Meta:
        model = FollowUpPlan
        fields = []


class FollowUpLevelFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="plan__company_id")
    plan = filters.NumberFilter(field_name="plan_id")
    execute_automatically = filters.BooleanFilter()

    class Meta:
        model = FollowUpLevel
        fields = []


class FollowUpRunFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    date = filters.DateFilter(field_name="run_date", label=gettext_lazy("Run date"))
    date_from = filters.DateFilter(field_name="run_date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="run_date", lookup_expr="lte")
    status = filters.MultipleChoiceFilter(choices=FollowUpRun.Status.choices)
    trigger = filters.ChoiceFilter(choices=FollowUpRun.Trigger.choices)

    class Meta:
        model = FollowUpRun
        fields = []


CHANNELS = (("email", "Email"), ("letter", "Letter"), ("manual", "Manual action"))


class ProposalFilter(filters.FilterSet):
    """The work list's filters. ``show``: *due* (the default: open, or postponed until a day
    that has come), *live* (open or postponed), *closed* (executed, skipped, withdrawn) or
    *all*; an explicit ``status`` replaces ``show``."""

    SHOW = (
        ("due", "Due now"),
        ("live", "Open or postponed"),
        ("closed", "Executed, skipped or no longer due"),
        ("all", "All"),
    )

    show = filters.ChoiceFilter(choices=SHOW, method="filter_show", label=gettext_lazy("Show"))
    status = filters.MultipleChoiceFilter(choices=ProposalStatus.choices)
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    level = filters.NumberFilter(
        field_name="level__sequence", label=gettext_lazy("Level number (1, 2, ...)")
    )
    mine = filters.BooleanFilter(method="filter_mine", label=gettext_lazy("Customers I control"))
    min_total = filters.NumberFilter(field_name="total_lcy", lookup_expr="gte",
                                     label=gettext_lazy("Total (base currency) at least"))  # fmt: skip
    run_date = filters.DateFilter()
    channel = filters.ChoiceFilter(
        choices=CHANNELS, method="filter_channel", label=gettext_lazy("Channel")
    )
    # Through subqueries on the customers rather than joins (see worklist_proposals).
    controller = filters.NumberFilter(
        method="filter_customers", label=gettext_lazy("Controller (id)")
    )
    on_hold = filters.BooleanFilter(
        method="filter_customers", label=gettext_lazy("Customer on hold")
    )
    automatic = filters.BooleanFilter(field_name="level__execute_automatically",
                                      label=gettext_lazy("Automatic (true) or by hand (false)"))  # fmt: skip

    class Meta:
        model = Proposal
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not data.get("show") and not data.get("status"):
            queryset = self.filter_show(queryset, "show", "due")
        return super().filter_queryset(queryset)

    def filter_show(self, queryset, name, value):
        if self.form.cleaned_data.get("status"):
            return queryset  # an explicit status wins
        if value == "live":
            return queryset.filter(status__in=(ProposalStatus.OPEN, ProposalStatus.POSTPONED))
        if value == "closed":
            return queryset.exclude(status__in=(ProposalStatus.OPEN, ProposalStatus.POSTPONED))
        if value == "due":
            back = _per_company(
                queryset.filter(status=ProposalStatus.POSTPONED), "postponed_until__lte"
            )
            return queryset.filter(
                Q(status=ProposalStatus.OPEN) | (Q(status=ProposalStatus.POSTPONED) & back)
            )
        return queryset

    def filter_customers(self, queryset, name, value):
        """By the customer's controller or hold, through a list of customer ids read first:
        PostgreSQL hashes an id list, but turns ``IN (subquery)`` into a lookup per
        proposal after the sort (0.5 s at 84,000 proposals). On hold: the few held
        customers, kept or left out."""
        if value is None or value == "":
            return queryset
        if name == "on_hold":
            held = list(
                Customer.objects.filter(on_hold=True).order_by().values_list("pk", flat=True)
            )
            return queryset.filter(customer_id__in=held) if value else queryset.exclude(
                customer_id__in=held)  # fmt: skip
        # Unordered: the customers' default order (by name) sorted 10,000 ids for nothing.
        ids = list(
            Customer.objects.filter(controller_id=value).order_by().values_list("pk", flat=True)
        )
        return queryset.filter(customer_id__in=ids)

    def filter_channel(self, queryset, name, value):
        field = {"email": "level__send_email", "letter": "level__send_letter",
                 "manual": "level__manual_action"}.get(value)  # fmt: skip
        return queryset.filter(**{field: True}) if field else queryset

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        # A list of ids, not a subquery: see filter_customers.
        mine = Q(customer_id__in=list(Customer.objects.filter(
            controller_id=getattr(user, "pk", None)).order_by().values_list("pk", flat=True)))  # fmt: skip
        return queryset.filter(mine) if value else queryset.exclude(mine)


class FollowUpActionFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    proposal = filters.NumberFilter(field_name="proposal_id")
    channel = filters.MultipleChoiceFilter(choices=Channel.choices)
    level = filters.NumberFilter(
        field_name="level_sequence", label=gettext_lazy("Level number (1, 2, ...)")
    )
    entry = filters.NumberFilter(field_name="lines__entry_id", label=gettext_lazy("Concerned this entry"),
                                 distinct=True)  # fmt: skip
    by = filters.NumberFilter(field_name="by_id")
    date_from = filters.DateFilter(field_name="on", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="on", lookup_expr="lte")

    class Meta:
        model = FollowUpAction
        fields = []


class OutboxMessageFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    status = filters.MultipleChoiceFilter(choices=OutboxMessage.Status.choices)
    kind = filters.ChoiceFilter(choices=OutboxMessage.Kind.choices)
    created_from = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = OutboxMessage
        fields = []


class ExclusionFilter(filters.FilterSet):
    """Entries excluded from follow-ups. By default only exclusions still in effect (forever,
    or until a day after the company's today); ``in_effect=false`` lists lapsed ones too."""

    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    forever = filters.BooleanFilter(field_name="exclude_forever")
    in_effect = filters.BooleanFilter(
        method="filter_in_effect", label=gettext_lazy("Still in effect")
    )

    class Meta:
        model = LedgerEntry
        fields = []

    def filter_queryset(self, queryset):
        queryset = queryset.filter(Q(exclude_forever=True) | Q(exclude_until__isnull=False))
        if self.form.cleaned_data.get("in_effect") is None:
            queryset = self.filter_in_effect(queryset, "in_effect", True)
        return super().filter_queryset(queryset)

    def filter_in_effect(self, queryset, name, value):
        if value is None:
            return queryset
        dated = queryset.filter(exclude_until__isnull=False)
        in_effect = Q(exclude_forever=True) | _per_company(dated, "exclude_until__gt")
        return queryset.filter(in_effect) if value else queryset.exclude(in_effect)
