"""A real Celery worker killed with SIGKILL in the middle of its work, then a new one
started: nothing is half-written and nothing is done twice (issue 12, "fault tests").

Real components only: a redis-server of the test's own as the broker, ``celery worker``
processes on the test's PostgreSQL database, and no hook in the product. The kill lands
inside the work deterministically because the test holds a lock the work needs (from its
own connection), waits until PostgreSQL shows the worker blocked on it, kills the worker's
process group, then lets go.

The task is redelivered because tasks are acknowledged late (``CELERY_TASK_ACKS_LATE``)
and Redis hands an unacknowledged task to another worker once its visibility timeout has
passed (``CELERY_VISIBILITY_TIMEOUT``, 600 s in production; 5 s here, so the test is
quick) - kombu looks for such tasks every 10 s (settings.py; the production figures are
checked in tests/test_settings.py).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.db import transaction

from followups.engine import run_followups, run_start
from followups.models import LIVE_PROPOSAL, FollowUpRun, Proposal, ProposalEntry
from followups.plans import plan_for
from tests.factories import CustomerFactory, EntryFactory
from tests.processes import (
    backends_gone,
    backends_waiting_on,
    celery_worker,
    child_env,
    kill_group,
    own_connection,
    stop,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

VISIBILITY_SECONDS = 5
# Days past due of each customer's invoices: every level of the default plan is due for
# someone (-3: the courtesy reminder five days before; 10, 25, 40, 70: levels 2 to 5, the
# later ones after the level before), and some invoices are listed without a level due.
HAD = {25: 2, 40: 3, 70: 4}
LADDER = [(-3,), (10,), (25,), (40,), (70,), (10, 40), (-3, 25), (2,), (-30,), (70, 10, -3)]


def build(company, today: dt.date) -> None:
    plan = plan_for(company)
    # The run alone is under test: nobody executes the proposals afterwards.
    plan.levels.update(execute_automatically=False)
    for n, ages in enumerate(LADDER):
        customer = CustomerFactory(company=company, account_code=f"K{n:02d}")
        for m, age in enumerate(ages):
            due = today - dt.timedelta(days=age)
            EntryFactory(customer=customer, document_no=f"K{n:02d}-{m}", due_date=due,
                         document_date=due - dt.timedelta(days=30),
                         amount=Decimal(100 + 10 * n + m), followup_level=HAD.get(age, 0),
                         followup_level_on=today - dt.timedelta(days=9) if age in HAD else None)  # fmt: skip


def decided(company) -> tuple[list, list]:
    """What a run decided, without ids or times: the live proposals and their lines."""
    proposals = Proposal.objects.filter(company=company, status__in=LIVE_PROPOSAL)
    lines = ProposalEntry.objects.filter(proposal__in=proposals)
    return (
        sorted(proposals.values_list("customer__account_code", "level__sequence", "status",
                                     "total_lcy", "entry_count")),
        sorted(lines.values_list("proposal__customer__account_code", "entry__document_no",
                                 "level", "remaining_lcy", "disputed_lcy")),
    )  # fmt: skip


def clean_run(company, today: dt.date) -> tuple[list, list]:
    """What an undisturbed run decides, found in a transaction that is then rolled back."""
    with transaction.atomic():
        run = run_followups(company=company, as_of=today, trigger="command")
        assert run.status == FollowUpRun.Status.DONE, run.error
        result = decided(company)
        transaction.set_rollback(True)
    assert not Proposal.objects.exists() and not FollowUpRun.objects.exists()
    return result


def test_a_worker_killed_in_the_middle_of_an_engine_run_leaves_nothing_and_the_run_completes_once(
    company, manager, broker, tmp_path
):
    today = company.today()
    build(company, today)
    clean = clean_run(company, today)
    assert len(clean[0]) == 8 and len(clean[1]) == 12
    assert {level for _, level, *_ in clean[0]} == {1, 2, 3, 4, 5}

    log = tmp_path / "workers.log"
    env = child_env(REDIS_URL=broker, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS))
    held = own_connection()
    doomed = None
    try:
        with held.cursor() as cursor:
            # The lines' table: the worker's run has written its proposals when it needs it.
            cursor.execute("LOCK TABLE followups_proposalentry IN ACCESS EXCLUSIVE MODE")
            doomed = celery_worker(env, log, "doomed")
            run = run_start(user=manager, company=company)  # relayed to Redis on commit
            blocked = wait_for(lambda: backends_waiting_on(cursor, "followups_proposalentry"),
                               "the worker's run to block on the lines", log)  # fmt: skip
            run.refresh_from_db()
            assert run.status == FollowUpRun.Status.RUNNING  # the kill lands inside the run
            kill_group(doomed)
            killed_at = time.monotonic()
        held.rollback()  # let go: the dead worker's transaction can only roll back now
        with held.cursor() as cursor:
            wait_for(lambda: backends_gone(cursor, blocked), "the dead worker's session to end",
                     log)  # fmt: skip
    finally:
        if doomed is not None and doomed.poll() is None:
            kill_group(doomed)
        held.close()

    # Nothing half-written: no proposal and no line of the killed run.
    assert decided(company) == ([], [])
    assert not ProposalEntry.objects.exists()

    worker = celery_worker(env, log, "restarted")
    try:
        wait_for(lambda: FollowUpRun.objects.filter(pk=run.pk, status="done").exists(),
                 "the run, redelivered to the new worker, to finish", log, timeout=120)  # fmt: skip
        redelivered_after = time.monotonic() - killed_at
    finally:
        stop(worker)
    run.refresh_from_db()
    assert decided(company) == clean  # exactly a clean run's proposals and lines, once each
    assert run.proposals_created == len(clean[0]) and run.error == ""
    assert FollowUpRun.objects.count() == 1
    # Redelivered soon after the visibility timeout: kombu looks every 10 s.
    assert redelivered_after < VISIBILITY_SECONDS + 60, redelivered_after
    again = run_followups(company=company, as_of=today, trigger="command")
    assert (again.proposals_created, again.proposals_refreshed, again.proposals_withdrawn) == (
        0, 0, 0,
    )  # fmt: skip
