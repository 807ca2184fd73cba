"""The incremental run gives what a full recomputation gives (Hypothesis; issue 16).

Hypothesis draws a ledger and a plan as in ``test_chasing_properties`` and a walk through
the calendar: steps of 0 (a rerun the same day) to 6 days, and on the days it stops at,
changes through the services a person or the sync uses — payments by sync, a credit note
by sync, exclusions and inclusions, expected payment dates, disputes opened and ended,
promises (kept or broken), statements sent, proposals executed, skipped and postponed.
Each day the daily run is incremental (``followups.restage``). The invariant:

- what the incremental run leaves (each live proposal's customer, level, total, and its
  lines: entry, level, remaining and disputed amounts) is what a full recomputation for
  the same day leaves, and that full recomputation then changes nothing.

The full recomputation runs inside a savepoint that is rolled back, so the walk goes on
from the incremental run's state. Bounded for CI (``INCREMENTAL_EXAMPLES``, default 3);
set it higher for a long hunt. CI runs it on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followups.engine import run_followups
from followups.models import Proposal
from followups.statements import statement_send
from ledger.sync import sync_entries

from .test_chasing_properties import (
    ENTRY_EVENTS,
    PROPOSAL_EVENTS,
    RICH,
    START,
    _build,
    _day,
    _entry_event,
    _proposal_event,
    entry_specs,
    plans,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("INCREMENTAL_EXAMPLES", "3"))
OTHER_EVENTS = ("credit_note", "statement")

events = st.tuples(
    st.sampled_from(ENTRY_EVENTS + PROPOSAL_EVENTS + OTHER_EVENTS),
    st.integers(0, 11),  # which entry or customer
    st.integers(1, 40),  # a number of days, or a share in tenths
)
walks = st.fixed_dictionaries({
    "plan": plans,
    "entries": st.lists(entry_specs, min_size=3, max_size=8),
    # (days to the next run, the changes made that day before it)
    "steps": st.lists(st.tuples(st.sampled_from([0, 1, 1, 1, 2, 3, 6]),
                                st.lists(events, max_size=3)), min_size=10, max_size=30),
})  # fmt: skip

# Always run: the rich ledger of the chasing properties, walked with reruns, single days
# and jumps, and every kind of change.
RICH_WALK = {
    "plan": RICH["plan"],
    "entries": RICH["entries"],
    "steps": [
        (0, []), (0, []), (1, [("execute", 0, 1)]), (1, [("dispute", 3, 5), ("skip", 1, 1)]),
        (0, [("execute", 1, 1)]), (2, [("promise", 5, 3), ("credit_note", 1, 30)]),
        (1, [("statement", 2, 1)]), (6, [("pay", 0, 5), ("exclude", 1, 1)]),
        (3, [("expected", 4, 6), ("postpone", 0, 3)]), (1, [("end_dispute", 3, 1)]),
        (6, [("execute", 0, 1), ("include", 1, 1)]), (2, [("pay_all", 7, 1)]), (6, []),
        (1, [("execute", 1, 1), ("promise", 7, 4)]), (3, []), (6, [("execute", 2, 1)]),
    ],
}  # fmt: skip


def state(company) -> list[tuple]:
    """Every live proposal and its lines, as the work list and the preview would show."""
    result = []
    for p in Proposal.objects.filter(company=company, status__in=("open", "postponed")):
        lines = sorted(
            (line.entry_id, line.level, line.remaining_lcy, line.disputed_lcy)
            for line in p.lines.all()
        )
        result.append((p.customer_id, p.status, p.level.sequence, p.total_lcy, p.entry_count,
                       tuple(lines)))  # fmt: skip
    return sorted(result)


def _other_event(kind, which, number, today, customers, carol, ivan):
    customer = customers[which % len(customers)]
    if kind == "credit_note":
        rows = [{"external_ref": f"CN-{today}-{which}", "customer": customer.pk,
                 "entry_type": "credit_note", "document_no": f"CN-{today}-{which}",
                 "document_date": str(today), "due_date": str(today),
                 "amount": str(Decimal(-number * 10))}]  # fmt: skip
        result = sync_entries(user=ivan, company=customer.company, source="api", rows=rows)
        assert not result.errors, result.errors
    elif kind == "statement":
        statement_send(user=carol, customer=customer)


def _check_day(company, today) -> None:
    run = run_followups(company=company, as_of=today, trigger="command")
    assert run.status == "done", run.error
    incremental = state(company)
    with transaction.atomic():
        full = run_followups(company=company, as_of=today, trigger="command", full=True)
        assert full.status == "done", full.error
        assert state(company) == incremental, today
        assert (full.proposals_created, full.proposals_refreshed, full.proposals_withdrawn) == (
            0, 0, 0,
        ), today  # fmt: skip
        transaction.set_rollback(True)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])  # fmt: skip
@given(walk=walks)
@example(walk=RICH_WALK)
def test_an_incremental_run_leaves_what_a_full_recomputation_leaves(walk):
    with transaction.atomic():
        _walk(walk)
        transaction.set_rollback(True)


def _walk(walk) -> None:
    with time_machine.travel(dt.datetime.combine(START, dt.time(12), tzinfo=dt.UTC), tick=False):
        company, carol, ivan, _plan, customers, entries = _build(walk)
    offset = 0
    for step, changes in walk["steps"]:
        offset += step
        today = _day(offset)
        with time_machine.travel(dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC),
                                 tick=False):  # fmt: skip
            for kind, which, number in changes:
                try:
                    with transaction.atomic():
                        if kind in ENTRY_EVENTS:
                            _entry_event(kind, entries[which % len(entries)], number, today,
                                         carol, ivan)  # fmt: skip
                        elif kind in PROPOSAL_EVENTS:
                            _proposal_event(kind, which, number, today, carol)
                        else:
                            _other_event(kind, which, number, today, customers, carol, ivan)
                except ValidationError:
                    pass  # refused by the service (a paid entry, a date out of range...)
            _check_day(company, today)
