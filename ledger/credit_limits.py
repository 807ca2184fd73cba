"""Credit limits that act: a customer whose balance goes over its limit is noticed once.

``Customer.over_limit_since`` remembers a crossing: set when the balance first goes over
the limit, cleared when it comes back to or under it. So the controller's to-do and
notification (raised by the workbench from the ``credit_limit_crossed`` signal) come
once per crossing, however many syncs and payments follow while the customer stays over.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, F, OuterRef, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import EventKind
from events.services import event_emit

from .models import Customer, LedgerEntry
from .querysets import MONEY_FIELD, ZERO
from .signals import announce_over_limit


def with_limit_used(customers):
    """Annotate ``limit_used``: what counts against the limit. The limit is in the
    customer's currency: for a customer in the base currency that is the balance in LCY,
    for one in another currency the open items in that currency."""
    open_entries = LedgerEntry.objects.filter(customer=OuterRef("pk")).open().order_by()
    lcy = open_entries.values("customer").annotate(t=Sum("remaining_lcy")).values("t")
    own = (
        open_entries.filter(currency=OuterRef("currency"))
        .values("customer")
        .annotate(t=Sum("remaining"))
        .values("t")
    )
    return customers.annotate(
        limit_used=Case(
            When(currency=F("company__base_currency"),
                 then=Coalesce(Subquery(lcy, output_field=MONEY_FIELD), ZERO)),
            default=Coalesce(Subquery(own, output_field=MONEY_FIELD), ZERO),
            output_field=MONEY_FIELD,
        )
    )  # fmt: skip


def over_limit(customers):
    """The customers among ``customers`` whose balance is above a (non-zero) credit limit."""
    return with_limit_used(customers.filter(credit_limit__gt=0)).filter(
        limit_used__gt=F("credit_limit")
    )


def credit_limits_check(*, company_id: int, customer_ids: Iterable[int]) -> list[int]:
    """Record crossings for these customers after their balances changed; returns the ids
    that have just gone over their limit (and announces them).

    1. One query: each customer's limit, usage and whether it was over already.
    2. Newly over: set ``over_limit_since``; back under: clear it. Two updates at most.
    3. Announce the newly over, inside the caller's transaction.
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    rows = with_limit_used(Customer.objects.filter(pk__in=ids, company_id=company_id)).values(
        "pk", "credit_limit", "limit_used", "over_limit_since"
    )
    crossed, back, used = [], [], {}
    for row in rows:
        is_over = row["credit_limit"] > 0 and row["limit_used"] > row["credit_limit"]
        if is_over and row["over_limit_since"] is None:
            crossed.append(row["pk"])
            used[row["pk"]] = row["limit_used"]
        elif not is_over and row["over_limit_since"] is not None:
            back.append(row["pk"])
    if crossed:
        Customer.objects.filter(pk__in=crossed).update(over_limit_since=timezone.now())
    if back:
        Customer.objects.filter(pk__in=back).update(over_limit_since=None)
    announce_over_limit(company_id=company_id, customer_ids=crossed)
    for customer in Customer.objects.filter(pk__in=crossed):
        credit_limit_emit(customer, limit_used=used[customer.pk])
    return crossed


def credit_limit_emit(customer: Customer, *, limit_used: Decimal) -> None:
    """Tell integrators (webhooks) that the customer went over its credit limit, in the
    transaction of the write that crossed it."""
    event_emit(kind=EventKind.CUSTOMER_OVER_LIMIT, company_id=customer.company_id,
               customer_id=customer.pk, credit_limit=customer.credit_limit,
               limit_used=limit_used, currency=customer.currency,
               customer={"id": customer.pk, "account_code": customer.account_code,
                         "external_ref": customer.external_ref}, source="system")  # fmt: skip


def over_by(customer: Customer) -> Decimal:
    """How far the customer is over its limit now (zero when it is not)."""
    if not customer.credit_limit:
        return Decimal("0.00")
    used = with_limit_used(Customer.objects.filter(pk=customer.pk)).values_list(
        "limit_used", flat=True
    )[0]
    return max(used - customer.credit_limit, Decimal("0.00"))
