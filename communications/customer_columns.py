"""The customer list's workbench columns: Follow-up, Promised payment, live communications
and last contact. ``ledger.customer_columns`` declares them; this module computes them
for a page of customers and sorts the whole list on them.
"""

from __future__ import annotations

from django.db import connections, models
from django.db.models import Count, Max, Min, OuterRef, Subquery, Sum

from .models import Communication, Promise, ToDo
from .querysets import with_workbench_figures

WORKBENCH_KEYS = (
    "next_follow_up", "promised_amount", "promised_on", "live_communications", "last_contact",
)  # fmt: skip
# Figures that are a number: a customer without one counts as zero, not as "none".
ZERO_WHEN_MISSING = {"promised_amount", "live_communications"}


def with_list_figures(customers: models.QuerySet) -> models.QuerySet:
    """The workbench figures of ``with_workbench_figures`` plus ``last_contact_at`` (the
    latest communication, completed or not)."""
    latest = (
        Communication.objects.filter(customer=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return with_workbench_figures(customers).annotate(last_contact_at=Subquery(latest))


def _grouped(key: str) -> list[models.QuerySet]:
    """(customer_id, value) per customer for one figure; Follow-up takes two sources."""
    if key == "next_follow_up":
        return [
            Communication.objects.live().filter(follow_up_on__isnull=False)
            .values("customer_id").annotate(value=Min("follow_up_on")),
            ToDo.objects.open().values("customer_id").annotate(value=Min("due_on")),
        ]  # fmt: skip
    return [{
        "promised_amount": Promise.objects.live().values("customer_id").annotate(value=Sum("amount_lcy")),
        "promised_on": Promise.objects.live().values("customer_id").annotate(value=Min("promised_on")),
        "live_communications": Communication.objects.live().values("customer_id").annotate(value=Count("*")),
        "last_contact": Communication.objects.values("customer_id").annotate(value=Max("occurred_at")),
    }[key]]  # fmt: skip


def page_ids_by_figure(
    customers: models.QuerySet, *, key: str, descending: bool, offset: int, limit: int
) -> list[int]:
    """One page of these customers' ids sorted by a workbench figure.

    As ``CustomerQuerySet.page_ids_by_total``: one grouped pass over the workbench rows,
    joined to the customers, instead of a correlated figure per customer. Each source is
    grouped on its own (not a UNION grouped as one) so that PostgreSQL knows how many
    customers each holds and hashes the join. Customers without a date sort last both
    ways (a list sorted by Follow-up starts with the earliest follow-up, not with the
    thousands that have none); a missing amount or count is zero; ties break on id.
    """
    c_sql, params = customers.order_by().values("pk").query.sql_with_params()
    joins = []
    for n, grouped in enumerate(_grouped(key)):
        s_sql, s_params = grouped.order_by().values("customer_id", "value").query.sql_with_params()
        joins.append(f"LEFT JOIN ({s_sql}) s{n} ON s{n}.customer_id = c.pk")
        params = (*params, *s_params)
    if len(joins) == 2:
        least = "LEAST" if connections[customers.db].vendor == "postgresql" else "MIN"
        value = f"{least}(COALESCE(s0.value, s1.value), COALESCE(s1.value, s0.value))"
    else:
        value = "COALESCE(s0.value, 0)" if key in ZERO_WHEN_MISSING else "s0.value"
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT c.pk FROM ({c_sql}) c {' '.join(joins)} "
        f"ORDER BY {value} {direction} NULLS LAST, c.pk {direction} LIMIT %s OFFSET %s"
    )
    with connections[customers.db].cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [row[0] for row in cursor.fetchall()]
