"""Incremental runs: which customers a run of the engine must restage.

A run decides per customer (``followups.engine``), and what it decides for a customer
changes only when (a) something of the customer is written, or (b) the calendar reaches a
date that one of its conditions compares with. So a run does not restage the whole
company: it restages the customers in (a) or (b) and leaves every other proposal as the
last run left it — which is what a full recomputation would leave too (the merge changes
nothing for a customer whose staged lines are equal). The bookkeeping:

1. ``EngineState`` (one row per company): the date *D0* of the last run and a digest of
   what in the plan decides chasing. No state, a run for a date before *D0*, a changed
   plan, or a run asked to be full (``run_followups --full``) recomputes everything.
2. ``ChaseChange`` marks, for (a): written in the same transaction as the change by the
   receiver of the ledger's ``entries_changed`` signal (payments, applications, the sync,
   exclusions, expected payment dates, disputes, promises made, kept or broken, levels
   imported, a customer excluded or included, a reply received or handled) and by the
   follow-up services that write the history (execute, skip, a statement sent; a postponed
   proposal stays live and the engine does not look at its date).
   A run reads the company's marks and deletes exactly the ones it read (by id): a mark
   that commits while the run is going is kept for the next run.
3. ``ChaseWake``, for (b): per customer, the first date after the run's date on which one
   of these turns: an entry falls due (overdue entries are listed; the catch-up rule), the
   entry's next level is reached (``due_date + days`` of the one level it can climb to),
   the level-a-day rule lets it climb again, an entry's exclusion or expected payment date
   ends, the customer's exclusion ends, the plan's minimum interval since its last reminder
   passes, the day on which its proposal was executed or skipped is over. Each run
   recomputes the wakes of the customers it restaged (a full run: of all), in one
   set-based statement, as of its own date.

A run for *D* restages the marked customers and those with ``wake_on <= D`` (all of them
when that is more than ``FULL_SHARE`` of the company's: a scan is then cheaper than reading
their entries customer by customer); a rerun for the same date with no mark restages nobody
and writes nothing. Changes made outside the application's services
(Django's admin, SQL by hand) send no mark: ``run_followups --full`` recomputes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Case, DateField, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Least

from ledger.models import Company, Customer, LedgerEntry
from ledger.querysets import DEBIT_TYPE_VALUES

from .models import ChaseChange, EngineState, FollowUpAction, FollowUpPlan

FAR = dt.date(9999, 12, 31)  # "never": Least() on SQLite returns NULL if any argument is
SCOPE = "SELECT customer_id FROM fu_scope"
# Above this share of the company's customers (and this number) a run recomputes them all
# (the same result, sooner: scans instead of reading customer by customer).
FULL_SHARE, FULL_FLOOR = 0.15, 2000


def customers_changed(*, company_id: int, customer_ids: Iterable[int]) -> None:
    """Mark customers for the next run (call it in the transaction that changed them)."""
    ChaseChange.objects.bulk_create(
        ChaseChange(company_id=company_id, customer_id=pk) for pk in sorted(set(customer_ids))
    )


def plan_key(plan: FollowUpPlan) -> str:
    """What in the plan decides chasing, as a digest (the texts do not)."""
    levels = list(plan.levels.order_by("sequence").values_list("id", "sequence", "days"))
    text = repr((levels, plan.min_days_between, str(plan.min_amount), plan.pause_while_promised,
                 plan.pause_on_reply))  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def scope_create(run_sql: Any, cursor: Any, *, company: Company, plan: FollowUpPlan,
                 as_of: dt.date, full: bool) -> int | None:  # fmt: skip
    """Fill ``fu_scope`` with the customers this run restages and take their marks; returns
    how many, or None when the run must recompute the whole company (steps 1-3)."""
    state = EngineState.objects.filter(company=company).first()
    full = full or state is None or as_of < state.run_date or state.plan_key != plan_key(plan)
    run_sql("CREATE TEMPORARY TABLE fu_marks AS SELECT id, customer_id FROM "
            "followups_chasechange WHERE company_id = %s", [company.pk])  # fmt: skip
    run_sql("SELECT COUNT(*) FROM fu_marks")
    if cursor.fetchone()[0]:
        run_sql("DELETE FROM followups_chasechange WHERE id IN (SELECT id FROM fu_marks)")
    if full:
        return None
    run_sql(
        "CREATE TEMPORARY TABLE fu_scope AS SELECT customer_id FROM fu_marks UNION "
        "SELECT customer_id FROM followups_chasewake WHERE company_id = %s AND wake_on <= %s",
        [company.pk, as_of],
    )
    run_sql("SELECT COUNT(*) FROM fu_scope")
    restaged = cursor.fetchone()[0]
    if restaged > max(FULL_FLOOR, FULL_SHARE * Customer.objects.filter(company=company).count()):
        return None  # reading so many customers' entries one by one costs more than a scan
    if restaged:
        run_sql("CREATE INDEX fu_scope_customer ON fu_scope (customer_id)")
        if connection.vendor == "postgresql":
            run_sql("ANALYZE fu_scope")
    return restaged


def wakes_keep(run_sql: Any, *, company: Company, plan: FollowUpPlan, as_of: dt.date,
               scoped: bool, had_previous: list[tuple[int, int, Q]]) -> None:  # fmt: skip
    """Step 3: recompute the wakes of the restaged customers (all, when not ``scoped``) as
    of ``as_of``. ``had_previous``: (sequence, days, condition) of each level, the
    engine's own condition for the level to be the entry's next one."""
    in_scope = Q(customer_id__in=RawSQL(SCOPE, [])) if scoped else Q()

    def plus(days: int) -> RawSQL:
        return RawSQL(_plus('"ledger_ledgerentry"."due_date"', days), [], output_field=DateField())

    def when(condition: Q, then: Any) -> Coalesce:
        return Coalesce(Case(When(condition, then=then), default=None, output_field=DateField()),
                        Value(FAR), output_field=DateField())  # fmt: skip

    reached = Case(
        *(When(previous & Q(due_date__gt=as_of - dt.timedelta(days=days)), then=plus(days))
          for _sequence, days, previous in had_previous),
        default=None, output_field=DateField(),
    )  # fmt: skip
    level_on = RawSQL(_plus('"ledger_ledgerentry"."followup_level_on"', 1), [],
                      output_field=DateField())  # fmt: skip
    # Scoped, through the customer index alone (see ``engine.chaseable_entries``).
    of_company = Q() if scoped else Q(company=company)
    entries = (
        LedgerEntry.objects.filter(Q(entry_type__in=DEBIT_TYPE_VALUES) & of_company & in_scope)
        .exclude(remaining=0)
        .annotate(w=Least(
            when(Q(due_date__gte=as_of), plus(1)),  # falls due: overdue from the next day
            Coalesce(reached, Value(FAR), output_field=DateField()),
            when(Q(exclude_until__gt=as_of), F("exclude_until")),
            when(Q(expected_payment_date__gt=as_of), F("expected_payment_date")),
            when(Q(followup_level_on__gte=as_of), level_on),  # a level a day
            output_field=DateField(),
        ))
        .values("customer_id", "w").order_by()
    )  # fmt: skip
    customers = (
        Customer.objects.filter(Q(company=company, exclude_from_followups=True,
                                  exclude_until__gt=as_of) & (Q(id__in=RawSQL(SCOPE, []))
                                                              if scoped else Q()))
        .annotate(customer_id=F("id"), w=F("exclude_until"))
        .values("customer_id", "w").order_by()
    )  # fmt: skip
    gap = plan.min_days_between
    on_plus = RawSQL(_plus('"followups_followupaction"."on"', gap), [], output_field=DateField())
    on_next = RawSQL(_plus('"followups_followupaction"."on"', 1), [], output_field=DateField())
    from .engine import REMINDER_CHANNELS  # the engine imports this module

    actions = (
        FollowUpAction.objects.filter(Q(company=company, on__gt=as_of - dt.timedelta(days=max(gap, 1)))
                                      & in_scope)
        .annotate(w=Least(
            when(Q(channel__in=REMINDER_CHANNELS, on__gt=as_of - dt.timedelta(days=gap)), on_plus),
            when(Q(proposal__isnull=False, on__gte=as_of), on_next),  # closed on D: not again
            output_field=DateField(),
        ))
        .values("customer_id", "w").order_by()
    )  # fmt: skip
    parts = [q.query.sql_with_params() for q in (entries, customers, actions)]
    union = " UNION ALL ".join(sql for sql, _ in parts)
    params = [p for _, ps in parts for p in ps]
    where = f" AND customer_id IN ({SCOPE})" if scoped else ""
    run_sql(f"DELETE FROM followups_chasewake WHERE company_id = %s{where}", [company.pk])
    run_sql(
        "INSERT INTO followups_chasewake (customer_id, company_id, wake_on) "
        f"SELECT u.customer_id, %s, MIN(u.w) FROM ({union}) u GROUP BY u.customer_id "
        "HAVING MIN(u.w) < %s",
        [company.pk, *params, FAR],
    )


def state_keep(*, company: Company, plan: FollowUpPlan, as_of: dt.date, full: bool) -> None:
    """Record the run's date and plan (a rerun that finds them equal writes nothing)."""
    key = plan_key(plan)
    state = EngineState.objects.filter(company=company).first()
    if state is None:
        EngineState.objects.create(company=company, run_date=as_of, plan_key=key,
                                   full_run_date=as_of)  # fmt: skip
        return
    fields = {"run_date": as_of, "plan_key": key, **({"full_run_date": as_of} if full else {})}
    if any(getattr(state, name) != value for name, value in fields.items()):
        EngineState.objects.filter(pk=state.pk).update(**fields)


def _plus(column: str, days: int) -> str:
    """``column + days`` for a date column, in the database's own words."""
    if connection.vendor == "postgresql":
        return f"({column} + {int(days)})"
    return f"date({column}, '{int(days):+d} days')"
