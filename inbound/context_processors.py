"""Template context for every page: the counts the navigation shows beside its links, the
user's unread notifications and the unmatched emails waiting for their team, read in one
query (a page's query budget does not grow with the badges)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from communications.models import Notification
from creditcontrol.roles import can_work_customers

from .models import InboundMessage


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), 0)


def navigation_counts(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    counts: dict[str, Any] = {"notifications_unread": _count(
        Notification.objects.for_user(user).unread())}  # fmt: skip
    if can_work_customers(user):
        counts["unmatched_mail"] = _count(InboundMessage.objects.visible_to(user).unmatched())
    return get_user_model().objects.filter(pk=user.pk).values(**counts).first() or {}
