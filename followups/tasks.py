"""Celery tasks of the follow-up engine and its outbox: they load by id and call one service."""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from ledger.models import Company

from .models import FollowUpRun
from .plans import plan_for

log = logging.getLogger(__name__)

DELIVERY_SECONDS = 240


# ---- Runs (the engine) -------------------------------------------------------------------


def run_and_execute(run: FollowUpRun, *, full: bool = False) -> FollowUpRun:
    """Run the engine for a recorded run (incremental unless ``full``), then execute the
    proposals whose level is marked automatic: what the worker does after each run, and
    what ``run_followups`` does."""
    from .engine import run_followups
    from .execution import proposals_execute_automatic

    run = run_followups(company=run.company, as_of=run.run_date, trigger=run.trigger,
                        user=run.started_by, run=run, full=full)  # fmt: skip
    if run.status == FollowUpRun.Status.DONE:
        proposals_execute_automatic(company=run.company, as_of=run.run_date)
    return run


@shared_task
def run_task(run_id: int) -> str:
    """Carry out one queued run (started from the schedule, the application or the API).

    A worker (Redis, or the embedded default's filesystem queue) executes the automatic
    levels after the run. Only with tasks forced in-process (``CELERY_TASK_ALWAYS_EAGER``,
    the test suite) are they left on the work list: sending them would keep the person
    who pressed "Run now" waiting for every statement to render.

    Delivered again after its worker died (tasks are acknowledged late), a run still
    "running" is carried out again: the dead worker's transaction was rolled back, and a
    worker that is in fact still at it holds the company's lock, so the second delivery
    waits for it and then finds the run done (``engine.run_followups``).
    """
    from .engine import RESUMABLE

    run = FollowUpRun.objects.select_related("company", "started_by").filter(pk=run_id).first()
    if run is None or run.status not in RESUMABLE:
        return "gone" if run is None else run.status  # a duplicate delivery: done already
    if run_task.app.conf.task_always_eager:
        from .engine import run_followups

        return run_followups(company=run.company, as_of=run.run_date, trigger=run.trigger,
                             user=run.started_by, run=run).status  # fmt: skip
    return run_and_execute(run).status


@shared_task
def run_due_companies(now: str | None = None) -> list[int]:
    """The daily schedule. Beat calls this every few minutes; each company whose own
    clock has passed its plan's run time, and that has no scheduled run for its today
    yet, gets one. Returns the ids of the runs queued.

    Before that, each company past its own midnight gets its kept balances rolled to its
    new today (one set-based statement per company, ``ledger.balances.balances_roll``),
    so that the lists sort by today's overdue amounts from the first minutes of the day
    rather than summing them on the fly until the run."""
    from ledger.balances import kept_dates
    from ledger.tasks import roll_balances

    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    queued = []
    kept = kept_dates()
    for company in Company.objects.all():
        local = moment.astimezone(company.tz)
        if kept.get(company.pk) != local.date():
            roll_balances.delay(company.pk, local.date().isoformat())
        plan = plan_for(company)
        if local.time() < plan.run_at:
            continue
        today = local.date()
        if FollowUpRun.objects.filter(
            company=company, run_date=today, trigger=FollowUpRun.Trigger.SCHEDULE
        ).exists():
            continue
        run = FollowUpRun.objects.create(
            company=company, run_date=today, trigger=FollowUpRun.Trigger.SCHEDULE
        )
        queued.append(run.pk)
        run_task.delay(run.pk)
    return queued


# ---- Outbox (emails and letters) -----------------------------------------------------------


@shared_task(autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3)
def deliver_outbox(limit: int = 100) -> int:
    """Send what is due in the outbox: beat calls it every minute, and executing a proposal
    enqueues it on commit. Retrying the task (a lost database connection) is harmless: each
    message is claimed once; a failed send is retried by the outbox itself, with backoff,
    and a delivery that dies halfway leaves its claimed row for review."""
    from .outbox import outbox_deliver

    # Until the due queue is empty (a batch of 5,000 goes out now, not 100 a minute), but
    # within a time budget so that one task never holds a worker for long.
    deadline = time.monotonic() + DELIVERY_SECONDS
    total = 0
    while True:
        sent = outbox_deliver(limit=limit)
        total += sent
        if sent < limit or time.monotonic() > deadline:
            return total


@shared_task(autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3)
def flag_stale_outbox(minutes: int = 15) -> int:
    """Move messages left "sending" by a worker that stopped to review."""
    from .outbox import outbox_flag_stale

    return outbox_flag_stale(older_than=dt.timedelta(minutes=minutes))


# ---- Mass email too large for a request ------------------------------------------------


@shared_task(acks_late=True)
def send_mass_email(batch_id: int) -> str:
    """Work through a queued mass email (followups/mass_email_batches.py); a second
    delivery finds the keys already queued and adds nothing."""
    from .mass_email_batches import mass_email_run
    from .models import MassEmailBatch

    row = MassEmailBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    return "gone" if row is None else mass_email_run(row).status
