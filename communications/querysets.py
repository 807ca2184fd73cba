"""Set-based queries of the workbench: live communications, open promises and to-dos, and
the customer figures derived from them (next follow-up, promised payment).

A customer's derived figures, as DESIGN.md defines them:
- *live communications*: not completed;
- *next follow-up*: the earliest follow-up date over its live communications and its
  open to-dos;
- *promised payment*: the amount (LCY) and earliest date over its live promises, that
  is open promises made outside a communication or on a live one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least

from ledger.querysets import MONEY_FIELD, ZERO, VisibleQuerySet

__all__ = [
    "CommunicationQuerySet",
    "DisputeQuerySet",
    "NotificationQuerySet",
    "PromiseQuerySet",
    "ToDoQuerySet",
    "VisibleQuerySet",
    "with_workbench_figures",
]


class CommunicationQuerySet(VisibleQuerySet):
    def live(self) -> CommunicationQuerySet:
        return self.filter(completed_at__isnull=True)

    def completed(self) -> CommunicationQuerySet:
        return self.filter(completed_at__isnull=False)


class DisputeQuerySet(VisibleQuerySet):
    def open(self) -> DisputeQuerySet:
        return self.filter(ended_on__isnull=True)


class PromiseQuerySet(VisibleQuerySet):
    def open(self) -> PromiseQuerySet:
        return self.filter(status="open")

    def live(self) -> PromiseQuerySet:
        """Open promises that still count for the customer: not made on a completed
        communication (completing takes the promise out of Promised payment)."""
        return self.open().filter(
            Q(communication__isnull=True) | Q(communication__completed_at__isnull=True)
        )


class ToDoQuerySet(VisibleQuerySet):
    def open(self) -> ToDoQuerySet:
        return self.filter(status="open")

    def closed(self) -> ToDoQuerySet:
        return self.filter(status="closed")

    def owned_by(self, user: Any) -> ToDoQuerySet:
        return self.filter(owner=user)

    def due_on(self, day: dt.date) -> ToDoQuerySet:
        return self.open().filter(due_on=day)

    def overdue(self, as_of: dt.date) -> ToDoQuerySet:
        return self.open().filter(due_on__lt=as_of)

    def replies_unhandled(self) -> ToDoQuerySet:
        """Open "reply received" to-dos: their customers' chasing waits (the engine's
        ``.exclude(id__in=ToDo.objects.replies_unhandled().values("customer_id"))``)."""
        return self.open().filter(kind="reply")


class NotificationQuerySet(VisibleQuerySet):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.visible_to(user).filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


def per_customer(queryset: models.QuerySet, **aggregate: Any) -> Subquery:
    """One aggregate of ``queryset`` per customer, as a subquery on the outer customer."""
    name, expression = next(iter(aggregate.items()))
    grouped = (
        queryset.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(**{name: expression})
        .values(name)
    )
    return Subquery(grouped)


def with_workbench_figures(customers: models.QuerySet) -> models.QuerySet:
    """Annotate customers with ``live_communication_count``, ``next_follow_up_on``,
    ``promised_lcy`` and ``promised_on`` (correlated subqueries on partial indexes, so a
    page of customers costs a few index lookups each and the figures can be sorted on)."""
    from .models import Communication, Promise, ToDo  # models import this module

    live = Communication.objects.live()
    communication_follow_up = per_customer(
        live.filter(follow_up_on__isnull=False), first=Min("follow_up_on")
    )
    todo_due = per_customer(ToDo.objects.open(), first=Min("due_on"))
    promises = Promise.objects.live()
    return customers.annotate(
        live_communication_count=Coalesce(per_customer(live, n=Count("*")), Value(0)),
        _communication_follow_up=communication_follow_up,
        _todo_due=todo_due,
        next_follow_up_on=Least(
            Coalesce(F("_communication_follow_up"), F("_todo_due")),
            Coalesce(F("_todo_due"), F("_communication_follow_up")),
        ),
        promised_lcy=Coalesce(
            per_customer(promises, total=Sum("amount_lcy")), ZERO, output_field=MONEY_FIELD
        ),
        promised_on=per_customer(promises, first=Min("promised_on")),
    )
