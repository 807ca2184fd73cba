"""What was open on a date, and how old it was: the set-based core of the aged reports.

An entry's remaining amount on a past date *D* is reconstructed from today's, not from
its original amount:

    remaining on D = remaining today + applications to it dated after D
                     (for a payment or credit note: minus what it gave after D)

Today's remaining amount is what the accounting system and our applications agree on;
adding back what was applied after *D* undoes exactly the history we know of. (Starting
from the amount and subtracting the applications up to *D* would be wrong for entries
the accounting system sends with a remaining amount already lowered: their history
before the sync is not in our applications.) The consequence, stated once: a lowering
the accounting system reported without an application is taken to have happened on or
before any date asked about.

- Entries dated after *D* (document date) did not exist on *D* and are left out.
- An entry closed today but with applications after *D* was open on *D* and is back in.
- The LCY figure is the remaining amount on *D* at the entry's own exchange rate,
  rounded half-up to the cent as the ledger rounds it; when nothing was applied after
  *D* it is the stored ``remaining_lcy``, so that today's report equals the ledger to
  the penny.
- Ageing is by due date: not yet due (due on or after *D*), then 1-30, 31-60, 61-90
  and over 90 days overdue. Open payments and credit notes age by their own due date
  (their document date) and lower their bucket, so the buckets add up to the balance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, Round

from ledger.models import Application, LedgerEntry
from ledger.querysets import AGE_BUCKETS, MONEY_FIELD, ZERO

BUCKET_KEYS: tuple[str, ...] = tuple(key for key, _label, _low, _high in AGE_BUCKETS)
BUCKET_LABELS: dict[str, str] = {key: label for key, label, _low, _high in AGE_BUCKETS}


def bucket_q(key: str, as_of: dt.date, field: str = "due_date") -> Q:
    """The entries of one age bucket on ``as_of``, as a condition on the due date
    (a range of dates, so it stays on the index and needs no date arithmetic in SQL)."""
    for bucket, _label, low, high in AGE_BUCKETS:
        if bucket != key:
            continue
        q = Q()
        if low is None:  # not yet due: overdue by 0 days or fewer
            return Q(**{f"{field}__gte": as_of - dt.timedelta(days=high)})
        q &= Q(**{f"{field}__lte": as_of - dt.timedelta(days=low)})
        if high is not None:
            q &= Q(**{f"{field}__gte": as_of - dt.timedelta(days=high)})
        return q
    raise KeyError(key)


def _applied_after(as_of: dt.date, side: str) -> Coalesce:
    """What was applied to (``debit_entry``) or from (``credit_entry``) the outer entry
    after ``as_of``."""
    later = (
        Application.objects.filter(applied_on__gt=as_of, **{side: OuterRef("pk")})
        .order_by()
        .values(side)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(later, output_field=MONEY_FIELD), ZERO)


def remaining_as_of(entries: QuerySet, as_of: dt.date) -> QuerySet:
    """``entries`` that were open on ``as_of``, annotated with ``remaining_as_of`` and
    ``remaining_lcy_as_of`` (see the module docstring for how).

    When nothing among these entries was applied after ``as_of`` (today's report, and
    any date since the last application), the stored remaining amounts are the answer
    and the query is a plain scan of the open entries.
    """
    entries = entries.filter(document_date__lte=as_of)
    later = Application.objects.filter(applied_on__gt=as_of)
    # Any company's later application sends every report down the exact path: slower,
    # never wrong. (The check must not depend on ``entries``: it may be an outer-ref
    # subquery of an EXISTS.)
    if not later.exists():
        return entries.open().annotate(
            remaining_as_of=F("remaining"), remaining_lcy_as_of=F("remaining_lcy")
        )
    # The correlated sums run only for the few entries touched after ``as_of``: the
    # IN lists are hashed once, so a million untouched entries cost nothing more.
    debit_ids = later.values("debit_entry_id")
    credit_ids = later.values("credit_entry_id")
    touched = Q(pk__in=debit_ids) | Q(pk__in=credit_ids)
    adjustment = Case(
        When(pk__in=debit_ids, then=_applied_after(as_of, "debit_entry")), default=ZERO
    ) - Case(When(pk__in=credit_ids, then=_applied_after(as_of, "credit_entry")), default=ZERO)
    remaining = F("remaining") + adjustment
    return (
        entries.filter(~Q(remaining=0) | touched)
        .annotate(
            remaining_as_of=Case(
                When(touched, then=remaining), default=F("remaining"), output_field=MONEY_FIELD
            ),
            remaining_lcy_as_of=Case(
                When(touched, then=Round(remaining * F("exchange_rate"), 2)),
                default=F("remaining_lcy"),
                output_field=MONEY_FIELD,
            ),
        )
        .exclude(remaining_as_of=0)
    )


def open_entries_on(
    as_of: dt.date, *, customers: QuerySet | None = None, companies: Any = None
) -> QuerySet:
    """The ledger entries open on ``as_of``, of ``customers`` and/or ``companies`` (ids).

    Filtering by company alone, when no customer filter applies, keeps the scan on the
    open entries' company index instead of a semi-join with every customer."""
    entries = LedgerEntry.objects.all()
    if companies is not None:
        entries = entries.filter(company_id__in=list(companies))
    if customers is not None:
        entries = entries.filter(customer__in=customers.order_by().values("pk"))
    return remaining_as_of(entries, as_of)


def bucket_sums(as_of: dt.date, field: str = "remaining_lcy_as_of") -> dict[str, Any]:
    """Aggregates for ``annotate``/``aggregate``: each bucket's sum and the total."""
    sums: dict[str, Any] = {
        key: Coalesce(
            Sum(Case(When(bucket_q(key, as_of), then=F(field)), default=ZERO)),
            ZERO,
            output_field=MONEY_FIELD,
        )
        for key in BUCKET_KEYS
    }
    sums["total"] = Coalesce(Sum(field), ZERO, output_field=MONEY_FIELD)
    return sums


def days_overdue_on(due_date: dt.date | None, as_of: dt.date) -> int:
    if due_date is None:
        return 0
    return max((as_of - due_date).days, 0)


__all__ = [
    "BUCKET_KEYS",
    "BUCKET_LABELS",
    "bucket_q",
    "bucket_sums",
    "days_overdue_on",
    "open_entries_on",
    "remaining_as_of",
]
