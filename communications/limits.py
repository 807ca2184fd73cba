"""The workbench's side of credit limits that act: a to-do and a notification for the
controller when a customer goes over its credit limit (see ``ledger.credit_limits``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from ledger.credit_limits import with_limit_used
from ledger.models import Company, Customer

from .models import ToDo, ToDoKind
from .todos import managers_of, notify


def over_limit_raise(*, company_id: int, customer_ids: list[int], **_: Any) -> list[ToDo]:
    """One to-do "Over credit limit by …" and one notification per customer that has just
    crossed its limit, for its controller (the company's managers when it has none).
    Runs in the transaction that moved the balance (a sync, a payment, an edit)."""
    company = Company.objects.get(pk=company_id)
    today = company.today()
    customers = with_limit_used(
        Customer.objects.filter(pk__in=customer_ids).select_related("controller", "company")
    )
    managers = None
    todos = []
    for customer in customers:
        over = customer.limit_used - customer.credit_limit
        text = gettext("Over credit limit by %(amount)s %(currency)s") % {
            "amount": f"{over:,.2f}",
            "currency": customer.currency,
        }
        owner = (
            customer.controller if customer.controller and customer.controller.is_active else None
        )
        if owner is None:
            managers = managers_of(company) if managers is None else managers
            people = managers
        else:
            people = [owner]
        if not people:
            continue
        todos.append(ToDo(company=company, customer=customer, owner=people[0],
                          description=text, due_on=today, kind=ToDoKind.OVER_LIMIT))  # fmt: skip
        notify(users=people, company=company, customer=customer,
               text=f"{customer}: {text.lower()} (limit {customer.credit_limit:,.2f}).",
               link=reverse("ledger:customer-card", args=[customer.pk]))  # fmt: skip
    return ToDo.objects.bulk_create(todos)
