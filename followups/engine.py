"""The follow-up engine: for a company and a date *D*, decide which customers get a
proposal, at which level, listing which entries — in a handful of SQL statements.

The chasing rules are DESIGN.md's steps 1-3, written once more as plain Python in
``followups.rules`` (the tests run the same tables through both). A run first decides
which customers to restage (``followups.restage``: the customers a write marked since
the last run, and those for which the calendar reached one of their dates; everybody
on a first run, after a plan change, for a date before the last run's, or with
``full``); a rerun that finds nothing restages nobody and writes nothing. Then:

1. ``proposable_customers`` — the customers that may get a proposal on *D*: not
   excluded, net balance positive, last reminder at least the minimum interval ago, no
   open promise when the plan pauses for promises, nothing executed or skipped for *D*
   yet. Materialised first into a temporary table (``fu_ok``).
2. ``chaseable_entries`` — one ORM query over the company's open debits of those
   customers, with the entry's last executed level, its open dispute in LCY (a join) and
   its open promise (an anti-join). Its ``next_level`` is a ``CASE`` with one branch per
   level of the plan (a loop over levels, never over rows). Materialised once into
   ``fu_stage`` (the entries a proposal would list) and aggregated per customer into
   ``fu_cust`` (level, total, count and a digest of the lines).
3. A few statements merge that into the live proposals: withdraw those no longer due,
   refresh those whose level, total, count or digest changed, create the missing ones,
   and bring the lines of the proposals just created or refreshed in step (delete,
   update, insert only what differs).
4. The restaged customers' wakes and the company's state are kept for the next run.

On PostgreSQL the run's transaction sets its own planner inputs (``_tune``; see
``bench/README.md``), and nothing depends on the ledger's tables having been analysed: the
temporary tables and the just-filled proposals are analysed inside the run.

Running again for the same *D* therefore changes nothing; a customer whose proposal was
executed or skipped for *D* is not proposed again for *D* (otherwise, with no minimum
interval, an entry could climb two levels in one day). Runs of a company are serialised
by a PostgreSQL advisory lock held for the run's transaction (per company, so a fortiori
per company and date): a second run waits, then finds nothing to change. SQLite
serialises writers itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Least, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from communications.models import Promise, PromiseEntry, PromiseStatus, ToDo
from communications.promises import promises_settle
from creditcontrol.roles import can_work_customers
from creditcontrol.taskqueue import enqueue
from ledger.models import Company, LedgerEntry
from ledger.querysets import DEBIT_TYPE_VALUES

from . import restage
from .models import (
    LIVE_PROPOSAL,
    Channel,
    FollowUpAction,
    FollowUpPlan,
    FollowUpRun,
    Proposal,
    ProposalStatus,
)
from .plans import plan_for

log = logging.getLogger(__name__)

# What counts as a reminder for the plan's minimum interval (a skipped level does not).
REMINDER_CHANNELS = (Channel.EMAIL, Channel.LETTER, Channel.MANUAL, Channel.STATEMENT)
MONEY_OUT = DecimalField(max_digits=18, decimal_places=2)
# How far back a run may be asked for from the application or the API.
MAX_DAYS_BACK = 31
# The live statuses as SQL literals: ON CONFLICT names the partial unique index by its
# predicate, which SQLite cannot match against bound parameters.
LIVE_SQL = "status IN ({})".format(", ".join(f"'{status.value}'" for status in LIVE_PROPOSAL))
# What a run reads. Its plans stay linear without their statistics (a restore, before
# autovacuum's first ANALYZE): it analyses what it fills and indexes the temporary tables
# it joins to (bench/engine.py --forget-statistics measures it).
READ_TABLES = ("ledger_ledgerentry", "ledger_customer", "communications_dispute",
               "communications_promise", "communications_promiseentry", "communications_todo",
               "followups_followupaction", "followups_proposal")  # fmt: skip
TEMPORARY = ("fu_marks", "fu_scope", "fu_ok", "fu_stage", "fu_cust")
LOCK_NAMESPACE = 0x4655  # "FU": keeps our advisory locks apart from other features'
# A run is carried out while queued, or again while "running": its worker died (the task is
# redelivered) and its transaction rolled back, so nothing of it was kept.
RESUMABLE = (FollowUpRun.Status.QUEUED, FollowUpRun.Status.RUNNING)


def chaseable_entries(*, company: Company, plan: FollowUpPlan, as_of: dt.date,
                      customers: Any = None, by_customer: bool = False) -> QuerySet:  # fmt: skip
    """Step 1 and 2: the company's chaseable entries on ``as_of`` with ``next_level``
    (None when no level is due for the entry) and ``disputed_lcy``; customers that may not
    get a proposal on ``as_of`` are left out already (``customers``: the ids of those that
    may, as a subquery; by default ``proposable_customers``). ``by_customer``: the
    customers are a few of the company's; the entries are found through them alone."""
    levels = list(plan.levels.order_by("sequence").values_list("sequence", "days"))
    open_promise = PromiseEntry.objects.filter(entry=OuterRef("pk"), promise__status="open")
    next_level = Case(*_level_branches(levels, as_of), default=None, output_field=IntegerField())
    # A few customers' entries are found through the customer index; with the company's
    # id beside it PostgreSQL scans the whole company's entries instead.
    of_company = {} if by_customer else {"company": company}
    entries = (
        LedgerEntry.objects.filter(entry_type__in=DEBIT_TYPE_VALUES, **of_company)
        .exclude(remaining=0)
        .filter(
            customer_id__in=customers
            if customers is not None
            else proposable_customers(company=company, plan=plan, as_of=as_of)
        )
        .filter(exclude_forever=False)
        .filter(Q(exclude_until__isnull=True) | Q(exclude_until__lte=as_of))
        .filter(Q(expected_payment_date__isnull=True) | Q(expected_payment_date__lte=as_of))
        .exclude(Exists(open_promise))
        .alias(
            # At most one open dispute per entry (a constraint): a join, not a subquery.
            open_dispute=FilteredRelation(
                "disputes", condition=Q(disputes__ended_on__isnull=True, disputes__amount__gt=0)
            )
        )
        .annotate(
            # Coalesce inside: PostgreSQL's LEAST ignores a NULL where SQLite's MIN returns it.
            disputed_lcy=Least(
                F("remaining_lcy"),
                Coalesce(
                    Round(F("open_dispute__amount") * F("exchange_rate"), 2),
                    Value(0),
                    output_field=MONEY_OUT,
                ),
                output_field=MONEY_OUT,
            ),
        )
        .filter(remaining_lcy__gt=F("disputed_lcy") + plan.min_amount)
        .annotate(next_level=next_level)
        .order_by()
    )
    return entries


def _level_branches(levels: list[tuple[int, int]], as_of: dt.date) -> list[When]:
    """Step 2 as one ``When`` per level, in sequence order (the first that holds wins): the
    level is the entry's next one (``next_candidates``), it is reached, and no level was
    executed for the entry on *D* (a level a day)."""
    not_today = Q(followup_level_on__isnull=True) | Q(followup_level_on__lt=as_of)
    return [
        When(had_previous & Q(due_date__lte=as_of - dt.timedelta(days=days)) & not_today,
             then=Value(sequence))
        for sequence, days, had_previous in next_candidates(levels, as_of)
    ]  # fmt: skip


def next_candidates(levels: list[tuple[int, int]], as_of: dt.date) -> list[tuple[int, int, Q]]:
    """(sequence, days, condition) per level: when the level is the one an entry climbs to
    next on ``as_of``. A courtesy level (negative days): the entry had the level before it
    and is not yet past due. The first level after the due date: the entry had the level
    before it, or — past due, the catch-up rule — any courtesy level or none. Every later
    level: the entry had the level before it."""
    courtesy = sum(1 for _, days in levels if days < 0)
    candidates = []
    for sequence, days in levels:
        had_previous = Q(followup_level=sequence - 1)
        if sequence <= courtesy:
            had_previous &= Q(due_date__gte=as_of)
        elif sequence == courtesy + 1:
            had_previous |= Q(followup_level__lt=sequence - 1, due_date__lt=as_of)
        candidates.append((sequence, days, had_previous))
    return candidates


def proposable_customers(*, company: Company, plan: FollowUpPlan, as_of: dt.date,
                         scope: Any = None) -> QuerySet:  # fmt: skip
    """Step 3's customer conditions, as one subquery of customer ids (of ``scope`` only —
    ids, or a subquery of them — when given: a refresh must not sum the whole company's
    ledger)."""
    in_scope = {"company": company} if scope is None else {"customer_id__in": scope}
    positive = (
        LedgerEntry.objects.filter(**in_scope)
        .exclude(remaining=0)
        .values("customer_id")
        .annotate(net=Sum("remaining_lcy"))
        .filter(net__gt=0)
        .values("customer_id")
    )
    customers = (
        company.customers.followed_up(as_of)
        .filter(id__in=positive)
        .exclude(
            id__in=FollowUpAction.objects.filter(
                company=company,
                channel__in=REMINDER_CHANNELS,
                on__gt=as_of - dt.timedelta(days=plan.min_days_between),
            ).values("customer_id")
        )
        .exclude(
            # Executed or skipped on D (the history's date, not the proposal's run date).
            id__in=FollowUpAction.objects.filter(
                company=company, on=as_of, proposal__isnull=False
            ).values("customer_id")
        )
    )
    if plan.pause_while_promised:
        customers = customers.exclude(
            id__in=Promise.objects.filter(company=company, status=PromiseStatus.OPEN).values(
                "customer_id"
            )
        )
    if plan.pause_on_reply:  # a reply not yet handled: the customer is heard first
        customers = customers.exclude(id__in=ToDo.objects.replies_unhandled().values("customer_id"))
    # No ORDER BY (the customers' default is by name): the result is a set.
    return customers.values("id").order_by()


def run_followups(*, company: Company, as_of: dt.date | None = None, trigger: str,
                  user: Any = None, run: FollowUpRun | None = None,
                  full: bool = False) -> FollowUpRun:  # fmt: skip
    """Run the engine for ``company`` on ``as_of`` (default: the company's today) and
    record the run: incremental (``followups.restage``) unless ``full`` or the last run
    cannot be built on. A failure is recorded on the run (status, error) and logged, and
    leaves the proposals as they were."""
    as_of = as_of or company.today()
    if run is None:
        run = FollowUpRun.objects.create(
            company=company, run_date=as_of, trigger=trigger, started_by=user
        )
    started = time.monotonic()
    FollowUpRun.objects.filter(pk=run.pk, status__in=RESUMABLE).update(
        status=FollowUpRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            _lock(company)
            # A second delivery of the run's task (its worker was taken for dead) waits for
            # the lock above; if the first finished meanwhile, there is nothing left to do.
            done = FollowUpRun.objects.filter(pk=run.pk).exclude(status__in=RESUMABLE).first()
            if done is not None:
                return done
            _tune()
            # A run never decides on a promise that has already broken: settle them first.
            promises_settle(company=company, as_of=as_of)
            counts = _merge(company=company, plan=plan_for(company), as_of=as_of, run=run,
                            full=full)  # fmt: skip
            # In the run's transaction: its proposals and its "done" commit together, or
            # (a worker killed halfway) neither does and the run can be carried out again.
            _finish(run, started, status=FollowUpRun.Status.DONE, **counts)
    except Exception as error:  # recorded for the people who read the runs page
        log.exception("follow-up run %s for %s on %s failed", run.pk, company.code, as_of)
        _finish(
            run, started, status=FollowUpRun.Status.FAILED, error=f"{type(error).__name__}: {error}"
        )
        return run
    return run


def proposals_refresh(*, company_id: int, customer_ids: Iterable[int]) -> int:
    """Bring the live proposals of these customers in step now, in the caller's
    transaction: lines, total, entry count and level as the engine would decide them on the
    company's today; withdrawn when nothing is left to chase. Nothing is created (that is
    the daily run's job). Returns how many proposals changed."""
    ids = sorted(
        Proposal.objects.filter(
            company_id=company_id, customer_id__in=list(customer_ids), status__in=LIVE_PROPOSAL
        ).values_list("customer_id", flat=True)
    )
    if not ids:
        return 0
    company = Company.objects.get(pk=company_id)
    with transaction.atomic():
        _lock(company)
        counts = _merge(company=company, plan=plan_for(company), as_of=company.today(),
                        run=None, scope=ids)  # fmt: skip
    return counts["proposals_refreshed"] + counts["proposals_withdrawn"]


def _finish(run: FollowUpRun, started: float, **fields: Any) -> None:
    fields.update(
        finished_at=timezone.now(), duration_ms=round((time.monotonic() - started) * 1000)
    )
    FollowUpRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def _tune() -> None:
    """The planner inputs of the run's transaction (PostgreSQL): memory enough that the
    per-customer aggregates and hash joins of a million entries stay in memory, and no JIT
    compilation (it costs more than it saves on statements that run once). See
    ``bench/README.md`` for the server settings a production installation uses."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = %s", [settings.FOLLOWUP_ENGINE_WORK_MEM])
            cursor.execute("SET LOCAL jit = off")
            for name, value in settings.FOLLOWUP_ENGINE_PLANNER.items():
                cursor.execute(f"SET LOCAL {name} = %s", [value])


def _lock(company: Company) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, company.pk])


def _merge(*, company: Company, plan: FollowUpPlan, as_of: dt.date, run: FollowUpRun | None,
           scope: list[int] | None = None, full: bool = False) -> dict:  # fmt: skip
    """Steps 1-3 as SQL over temporary tables; returns the run's counts.

    A run restages the customers ``followups.restage`` finds changed since the last run
    (all of them when ``full`` or when it cannot build on the last run) and keeps the
    bookkeeping for the next. With ``scope`` (customer ids) only those customers' live
    proposals are brought in step (refreshed or withdrawn, never created): what an entry
    change does at once."""
    with connection.cursor() as cursor:
        run_sql = cursor.execute
        for table in TEMPORARY:
            run_sql(f"DROP TABLE IF EXISTS {table}")
        restaged = None
        if run is not None:
            restaged = restage.scope_create(run_sql, cursor, company=company, plan=plan,
                                            as_of=as_of, full=full)  # fmt: skip
        if restaged == 0:  # nothing written, no date crossed: nothing to do, nothing written
            restage.state_keep(company=company, plan=plan, as_of=as_of, full=False)
            _drop(run_sql)
            return {"entries_chaseable": 0, "customers_restaged": 0,
                    "proposals_open": _open_count(company)}  # fmt: skip
        # A refresh names its few customers (integers only, written into the statements:
        # the planner then sees how few); an incremental run's are in ``fu_scope``.
        members = (",".join(str(int(pk)) for pk in scope) if scope is not None
                   else restage.SCOPE if restaged is not None else None)  # fmt: skip
        counts = _stage_and_merge(run_sql, cursor, company=company, plan=plan, as_of=as_of,
                                  run=run, members=members)  # fmt: skip
        if run is not None:
            restage.wakes_keep(run_sql, company=company, plan=plan, as_of=as_of,
                               scoped=restaged is not None, had_previous=next_candidates(
                                   _levels(plan), as_of))  # fmt: skip
            restage.state_keep(company=company, plan=plan, as_of=as_of, full=restaged is None)
            counts.update(customers_restaged=restaged, proposals_open=_open_count(company))
        _drop(run_sql)
    return counts


def _levels(plan: FollowUpPlan) -> list[tuple[int, int]]:
    return list(plan.levels.order_by("sequence").values_list("sequence", "days"))


def _open_count(company: Company) -> int:
    return Proposal.objects.filter(company=company, status=ProposalStatus.OPEN).count()


def _stage_and_merge(run_sql: Any, cursor: Any, *, company: Company, plan: FollowUpPlan,
                     as_of: dt.date, run: FollowUpRun | None, members: str | None) -> dict:  # fmt: skip
    """Stage the customers ``members`` lists (ids, or a subquery of them; None: the whole
    company) and merge them into the live proposals."""
    now = timezone.now()
    live = tuple(str(status) for status in LIVE_PROPOSAL)
    in_live = "status IN (%s, %s)"
    scoped = members is not None
    in_scope = f" AND customer_id IN ({members})" if scoped else ""
    scope = RawSQL(members, []) if scoped else None
    customers = proposable_customers(company=company, plan=plan, as_of=as_of, scope=scope)
    if scoped:
        customers = customers.filter(id__in=scope)
    ok_sql, ok_params = customers.query.sql_with_params()
    # The customers are staged first: as a subquery, PostgreSQL misjudges their number
    # and walks the entries customer by customer instead of in one scan.
    stage_sql, stage_params = (
        chaseable_entries(company=company, plan=plan, as_of=as_of,
                          customers=RawSQL("SELECT id FROM fu_ok", []), by_customer=scoped)
        .annotate(overdue=Case(When(due_date__lt=as_of, then=Value(1)), default=Value(0)))
        .values("id", "customer_id", "next_level", "remaining_lcy", "disputed_lcy", "overdue")
        .query.sql_with_params()
    )  # fmt: skip
    run_sql(f"CREATE TEMPORARY TABLE fu_ok AS {ok_sql}", ok_params)
    # Indexed: on a ledger nobody has analysed (a restore) PostgreSQL takes the company for
    # a handful of entries and joins them to these customers by a nested loop, which must
    # then look each one up rather than scan the table once per entry.
    run_sql("CREATE INDEX fu_ok_id ON fu_ok (id)")
    if connection.vendor == "postgresql":
        run_sql("ANALYZE fu_ok")  # autovacuum never analyses temporary tables
    run_sql(
        "CREATE TEMPORARY TABLE fu_stage AS SELECT q.id AS entry_id, q.customer_id, "
        "q.next_level AS level, q.remaining_lcy, q.disputed_lcy, q.overdue "
        f"FROM ({stage_sql}) q",
        stage_params,
    )
    run_sql("SELECT COUNT(*) FROM fu_stage")
    chaseable = cursor.fetchone()[0]
    # Listed: a level due, or overdue (and only customers with a level due: HAVING).
    run_sql("DELETE FROM fu_stage WHERE level IS NULL AND overdue = 0")
    courtesy = plan.levels.filter(days__lt=0).count()
    if courtesy:
        # At a courtesy level (no entry of the customer has a later one due) only the
        # entries it is due for are listed: overdue ones wait for their own level.
        run_sql(
            "DELETE FROM fu_stage WHERE level IS NULL AND customer_id NOT IN "
            "(SELECT customer_id FROM fu_stage WHERE level > %s)",
            [courtesy],
        )
    # The digest tells whether a proposal's lines changed without comparing them all:
    # a rerun that finds every digest equal touches no line.
    digest = " || ':' || ".join(
        f"CAST(SUM({term}) AS TEXT)"
        for term in ("entry_id", "entry_id * entry_id", "entry_id * COALESCE(level, 0)",
                     "remaining_lcy", "disputed_lcy")
    )  # fmt: skip
    run_sql(
        "CREATE TEMPORARY TABLE fu_cust AS SELECT customer_id, MAX(level) AS level, "
        f"SUM(remaining_lcy - disputed_lcy) AS total, COUNT(*) AS cnt, {digest} AS digest "
        "FROM fu_stage GROUP BY customer_id HAVING MAX(level) IS NOT NULL"
    )
    run_sql("CREATE INDEX fu_cust_customer ON fu_cust (customer_id)")
    if connection.vendor == "postgresql":
        run_sql("ANALYZE fu_cust")

    run_sql(
        "UPDATE followups_proposal SET status = %s, postponed_until = NULL, closed_at = %s, "
        f"updated_at = %s WHERE company_id = %s AND {in_live}{in_scope} "
        "AND customer_id NOT IN (SELECT customer_id FROM fu_cust)",
        [ProposalStatus.WITHDRAWN.value, now, now, company.pk, *live],
    )
    withdrawn = cursor.rowcount

    # The level's texts follow a level change unless a controller edited them. One join
    # (every SET expression sees the row as it was), not a subquery per column and row.
    p = "followups_proposal"
    kept = f"{p}.level_id = n.level_id AND {p}.texts_edited"
    texts = ", ".join(f"{column} = CASE WHEN {kept} THEN {p}.{column} ELSE n.{column} END"
                      for column in ("email_subject", "email_body", "letter_text"))  # fmt: skip
    run_sql(
        f"UPDATE {p} SET {texts}, texts_edited = CASE WHEN {p}.level_id = n.level_id "
        f"THEN {p}.texts_edited ELSE %s END, level_id = n.level_id, total_lcy = n.total, "
        "entry_count = n.cnt, lines_digest = n.digest, "
        f"{'run_id = %s, run_date = %s, ' if run else ''}updated_at = %s "
        "FROM (SELECT c.customer_id, c.total, c.cnt, c.digest, l.id AS level_id, "
        "l.email_subject, l.email_body, l.letter_text FROM fu_cust c "
        "JOIN followups_followuplevel l ON l.plan_id = %s AND l.sequence = c.level) n "
        f"WHERE n.customer_id = {p}.customer_id AND {p}.company_id = %s "
        f"AND {p}.{in_live}{in_scope.replace('customer_id IN', f'{p}.customer_id IN', 1)} "
        f"AND (n.level_id <> {p}.level_id OR n.total <> {p}.total_lcy "
        f"OR n.cnt <> {p}.entry_count OR n.digest <> {p}.lines_digest)",
        [False, *([run.pk, as_of] if run else []), now, plan.pk, company.pk, *live],
    )  # fmt: skip
    refreshed = cursor.rowcount
    if run is None:
        _merge_lines(run_sql, run=None, company=company, live=live, members=members)
        return {"proposals_refreshed": refreshed, "proposals_withdrawn": withdrawn}

    # The proposals about to be made are those with a larger id (only the engine makes
    # them, under the company's lock; this run's are told apart by their run).
    run_sql("SELECT COALESCE(MAX(id), 0) FROM followups_proposal")
    before = cursor.fetchone()[0]
    run_sql(
        "INSERT INTO followups_proposal (company_id, customer_id, level_id, run_date, run_id, "
        "status, total_lcy, entry_count, lines_digest, email_subject, email_body, letter_text, "
        "texts_edited, created_at, updated_at) "
        "SELECT %s, c.customer_id, l.id, %s, %s, %s, c.total, c.cnt, c.digest, l.email_subject, "
        "l.email_body, l.letter_text, %s, %s, %s FROM fu_cust c "
        "JOIN followups_followuplevel l ON l.plan_id = %s AND l.sequence = c.level "
        # The one-live-proposal index keeps out a customer that has one: a NOT EXISTS
        # against this table, planned while it is empty, scans it once per row.
        f"WHERE TRUE ON CONFLICT (customer_id) WHERE {LIVE_SQL} DO NOTHING",
        [company.pk, as_of, run.pk, ProposalStatus.OPEN.value, False, now, now, plan.pk],
    )
    created = cursor.rowcount
    if connection.vendor == "postgresql" and created > 1000:
        # Fresh statistics, or the planner takes the just-filled table for empty and
        # joins the staged lines to it by a nested loop of sequential scans.
        run_sql("ANALYZE followups_proposal")

    if created:
        # The proposals just made have no lines yet: a plain insert, in the unique index's
        # order (each line lands on the index's right-most page; no conflict to look for).
        run_sql(
            "INSERT INTO followups_proposalentry (proposal_id, entry_id, level, remaining_lcy, "
            "disputed_lcy) SELECT p.id, s.entry_id, s.level, s.remaining_lcy, s.disputed_lcy "
            "FROM fu_stage s JOIN followups_proposal p ON p.customer_id = s.customer_id "
            "AND p.run_id = %s AND p.id > %s AND p.status IN (%s, %s) "
            "ORDER BY p.id, s.entry_id",
            [run.pk, before, *live],
        )
    if refreshed:
        run_sql("CREATE INDEX fu_stage_entry ON fu_stage (entry_id)")
        if connection.vendor == "postgresql":
            run_sql("ANALYZE fu_stage")
        _merge_lines(run_sql, run=run, company=company, live=live, made_before=before)
    return {"entries_chaseable": chaseable, "proposals_created": created,
            "proposals_refreshed": refreshed, "proposals_withdrawn": withdrawn}  # fmt: skip


def _drop(run_sql: Any) -> None:
    for table in TEMPORARY:
        run_sql(f"DROP TABLE IF EXISTS {table}")


def _merge_lines(run_sql: Any, *, run: FollowUpRun | None, company: Company,
                 live: tuple[str, ...], made_before: int = 0,
                 members: str | None = None) -> None:  # fmt: skip
    """Bring the lines of the proposals just refreshed (this run's, with an id up to
    ``made_before``; or, for a scoped refresh, the live proposals of its customers) in step
    with ``fu_stage``: delete, update and insert only what differs. The others' digests are
    unchanged, so a rerun costs no line statement at all."""
    if run is not None:
        who = "p.run_id = %s AND p.status IN (%s, %s) AND p.id <= %s"
        params = [run.pk, *live, made_before]
    else:
        who = f"p.company_id = %s AND p.status IN (%s, %s) AND p.customer_id IN ({members})"
        params = [company.pk, *live]
    run_sql(
        "DELETE FROM followups_proposalentry WHERE proposal_id IN (SELECT p.id FROM "
        f"followups_proposal p WHERE {who}) AND NOT EXISTS "
        "(SELECT 1 FROM fu_stage s WHERE s.entry_id = followups_proposalentry.entry_id)",
        params,
    )
    run_sql(
        "UPDATE followups_proposalentry AS pe SET level = s.level, "
        "remaining_lcy = s.remaining_lcy, disputed_lcy = s.disputed_lcy "
        "FROM fu_stage s, followups_proposal p WHERE s.entry_id = pe.entry_id "
        f"AND p.id = pe.proposal_id AND {who} "
        "AND (COALESCE(s.level, 0) <> COALESCE(pe.level, 0) "
        "OR s.remaining_lcy <> pe.remaining_lcy OR s.disputed_lcy <> pe.disputed_lcy)",
        params,
    )
    run_sql(
        "INSERT INTO followups_proposalentry (proposal_id, entry_id, level, remaining_lcy, "
        "disputed_lcy) SELECT p.id, s.entry_id, s.level, s.remaining_lcy, s.disputed_lcy "
        f"FROM fu_stage s JOIN followups_proposal p ON p.customer_id = s.customer_id AND {who} "
        # In the unique index's order: each new line goes to the index's right-most page.
        "WHERE TRUE ORDER BY p.id, s.entry_id ON CONFLICT (proposal_id, entry_id) DO NOTHING",
        params,
    )


def run_start(*, user: Any, company: Company, as_of: dt.date | None = None,
              trigger: str = FollowUpRun.Trigger.WEB) -> FollowUpRun:  # fmt: skip
    """Queue a run on demand (controllers and managers of the company). The run is
    recorded at once, as queued, and its task is enqueued when this transaction commits;
    with tasks in-process (the embedded default) it has finished when this returns."""
    if not can_work_customers(user) or not (
        user.is_superuser or user.companies.filter(pk=company.pk).exists()
    ):
        raise PermissionDenied(_("You may not run the follow-up engine for this company."))
    today = company.today()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"run_date": _("A run cannot be for a date after today.")})
    if as_of < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise ValidationError(
            {
                "run_date": _("A run can go back at most %(MAX_DAYS_BACK)s days from today.")
                % {"MAX_DAYS_BACK": MAX_DAYS_BACK}
            }
        )
    from .tasks import run_task  # the task module imports this one

    run = FollowUpRun.objects.create(
        company=company, run_date=as_of, trigger=trigger, started_by=user
    )
    enqueue(run_task, run.pk)  # relayed to the worker after commit
    return run
