"""Which customers a customer-list request means: its filters with the user's searched
columns, or the customers ticked (or "all that match") for a bulk action."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _

from .customer_columns import Layout, layout_for
from .filters import CustomerFilter
from .models import Customer


def customer_filterset(
    params: QueryDict | dict, *, user: Any, request: Any = None, layout: Layout | None = None
) -> CustomerFilter:
    """The list's FilterSet over the customers ``user`` may see; ``q`` searches the
    columns the user shows and did not leave out of the search."""
    filterset = CustomerFilter(
        params or None, queryset=Customer.objects.visible_to(user), request=request
    )
    filterset.search_keys = (layout or layout_for(user)).searched_keys
    return filterset


def selected_customers(data: QueryDict, *, user: Any, request: Any = None):
    """The customers a bulk action applies to: ``all_matching`` with the list's ``query``
    string, or the ticked ``ids``. Ids the user may not see are ignored."""
    if data.get("all_matching"):
        filterset = customer_filterset(QueryDict(data.get("query", "")), user=user, request=request)
        if not filterset.is_valid():
            raise ValidationError(_("The search behind “all that match” is not valid any more."))
        return filterset.qs
    ids = [int(v) for v in data.getlist("ids") if v.strip().isdigit()]
    return Customer.objects.visible_to(user).filter(pk__in=ids)
