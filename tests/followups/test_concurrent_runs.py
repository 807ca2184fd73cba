"""Two engine runs for the same company and date at once, on PostgreSQL: the advisory
lock serialises them, so one creates the proposals and the other finds nothing to do."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from followups import engine
from followups.engine import run_followups
from followups.models import FollowUpRun, Proposal, ProposalEntry

from .engine_build import build
from .tables import TWO_CUSTOMERS, D

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_at_once_create_one_set_of_proposals(monkeypatch):
    company, _, _ = build(TWO_CUSTOMERS, D)
    real_lock = engine._lock

    def slow_lock(company):
        real_lock(company)
        time.sleep(0.3)  # hold it long enough that the other run is surely waiting

    monkeypatch.setattr(engine, "_lock", slow_lock)
    start = threading.Barrier(2)
    runs: list[FollowUpRun] = []

    def go():
        start.wait()
        try:
            runs.append(run_followups(company=company, as_of=D, trigger="schedule"))
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [run.status for run in runs] == ["done", "done"], [run.error for run in runs]
    assert sorted(run.proposals_created for run in runs) == [0, 2]
    assert Proposal.objects.filter(company=company).count() == 2
    assert ProposalEntry.objects.filter(proposal__company=company).count() == 3
