"""Two controllers working the same entries at once, on PostgreSQL: the row locks serialise
them, so neither update is lost and no entry carries two open promises or disputes."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from communications.models import Dispute, EntryNote, EntryStatus, Promise
from communications.promises import dispute_set, promise_create
from communications.services import entries_update
from creditcontrol import roles
from ledger.models import AuditEvent
from tests.factories import EntryFactory, status_code, user_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*jobs: Callable[[], object]) -> list[str]:
    """Run the jobs in threads released together; "ok" or the refusal's message for each."""
    start = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def run(n: int, job: Callable[[], object]) -> None:
        start.wait()
        try:
            job()
            outcomes[n] = "ok"
        except ValidationError as refused:
            outcomes[n] = " ".join(refused.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def colleague(company):
    return user_in(company, roles.CONTROLLER, username="colin")


@pytest.fixture
def entries(customer):
    return [EntryFactory(customer=customer, amount=Decimal("100.00")) for _ in range(3)]


def test_two_controllers_updating_the_same_entries_lose_neither_update(
    controller, colleague, customer, entries
):
    ids = [e.pk for e in entries]
    copy, hold = status_code("COPY"), status_code("HOLD")

    def update(user, code, note):
        return lambda: entries_update(user=user, customer=customer, entry_ids=ids,
                                      status_code=code, note=note)  # fmt: skip

    outcomes = at_once(update(controller, copy, "Carol sent copies"),
                       update(colleague, hold, "Colin awaits the credit note"))  # fmt: skip
    assert outcomes == ["ok", "ok"]
    for entry in entries:
        notes = set(EntryNote.objects.filter(entry=entry).values_list("text", flat=True))
        assert notes == {"Carol sent copies", "Colin awaits the credit note"}
    # One of the two codes won on every entry, the same one everywhere (they ran in turn).
    assert len({s.status_code_id for s in EntryStatus.objects.filter(entry__in=entries)}) == 1
    events = AuditEvent.objects.filter(model="communications.entrystatus")
    assert {e.user.username for e in events} == {"carol", "colin"}
    assert events.count() == 2 * len(entries)


def test_two_promises_on_the_same_entry_at_once_exactly_one_is_recorded(
    controller, colleague, customer, entries
):
    day = timezone.localdate() + dt.timedelta(days=7)

    def promise(user, ids):
        return lambda: promise_create(user=user, customer=customer, entry_ids=ids,
                                      promised_on=day, is_full=True)  # fmt: skip

    outcomes = at_once(promise(controller, [entries[0].pk, entries[1].pk]),
                       promise(colleague, [entries[1].pk, entries[2].pk]))  # fmt: skip
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert "already carries an open promise" in refusal
    assert Promise.objects.count() == 1


def test_two_disputes_on_one_entry_at_once_make_one_dispute(controller, colleague, entries):
    entry = entries[0]

    def dispute(user, amount):
        return lambda: dispute_set(user=user, entry=entry, amount=amount, reason="Short delivery")

    assert at_once(dispute(controller, "30.00"), dispute(colleague, "40.00")) == ["ok", "ok"]
    (row,) = Dispute.objects.all()
    assert row.amount in (Decimal("30.00"), Decimal("40.00"))
    events = AuditEvent.objects.filter(model="communications.dispute").order_by("pk")
    assert [e.action for e in events] == ["create", "update"]
