"""The same scenario tables through the SQL engine, and what only the engine does:
reruns, refreshes, withdrawals, the company's own midnight, recorded runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from creditcontrol import roles
from followups.engine import run_followups
from followups.models import FollowUpRun, Proposal, ProposalEntry, ProposalStatus
from ledger.models import LedgerEntry
from ledger.services import entry_update
from tests.factories import CompanyFactory, user_in

from .engine_build import build, proposals_as_table
from .tables import MIXED_LEVELS, SCENARIOS, TWO_CUSTOMERS, D, Scenario, late

pytestmark = pytest.mark.django_db


def expected_table(scenario):
    return sorted(
        (customer, level, ids, Decimal(total), levels)
        for customer, level, ids, total, levels in scenario.expected
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_engine_gives_the_expected_proposals(scenario):
    company, customers, entries = build(scenario, D)
    run = run_followups(company=company, as_of=D, trigger="command")
    assert run.status == FollowUpRun.Status.DONE, run.error
    assert proposals_as_table(company, customers, entries) == expected_table(scenario)
    assert run.proposals_created == len(scenario.expected)


def pay_down(entry, remaining: str) -> None:
    """The entry's new remaining amount, through the ledger's service as the accounting
    system's sync or a person would set it (the service tells the engine)."""
    manager = user_in(entry.company, roles.MANAGER)
    entry_update(user=manager, entry=entry, remaining=Decimal(remaining), source="api")


def _snapshot(company):
    proposals = list(Proposal.objects.filter(company=company).order_by("id").values())
    lines = list(ProposalEntry.objects.filter(proposal__company=company).order_by("id").values())
    return proposals, lines


@pytest.mark.parametrize("scenario", [MIXED_LEVELS, TWO_CUSTOMERS], ids=lambda s: s.name)
def test_a_rerun_on_the_same_date_changes_nothing(scenario):
    company, _, _ = build(scenario, D)
    run_followups(company=company, as_of=D, trigger="command")
    before = _snapshot(company)
    again = run_followups(company=company, as_of=D, trigger="command")
    assert again.status == FollowUpRun.Status.DONE
    assert (again.proposals_created, again.proposals_refreshed, again.proposals_withdrawn) == (
        0,
        0,
        0,
    )
    assert _snapshot(company) == before


def test_a_later_run_refreshes_the_one_live_proposal_instead_of_adding_one():
    scenario = Scenario("refresh", (late(10, id=1), late(3, id=2, remaining=Decimal("50.00"))),
                        ((1, 1, (1, 2), "150.00", {1: 1, 2: 1}),))  # fmt: skip
    company, _customers, entries = build(scenario, D)
    run_followups(company=company, as_of=D, trigger="command")
    [proposal] = Proposal.objects.filter(company=company)
    proposal.email_subject = "Edited by Carol"
    proposal.texts_edited = True
    proposal.save()
    pay_down(entries[2], "20.00")
    run = run_followups(company=company, as_of=D + dt.timedelta(days=1), trigger="command")
    assert (run.proposals_created, run.proposals_refreshed) == (0, 1)
    [proposal] = Proposal.objects.filter(company=company)
    assert proposal.total_lcy == Decimal("120.00") and proposal.entry_count == 2
    assert proposal.email_subject == "Edited by Carol"  # same level: the edit is kept
    assert ProposalEntry.objects.get(proposal=proposal, entry=entries[2]).remaining_lcy == Decimal(
        "20.00"
    )


def test_a_level_change_brings_the_new_levels_text():
    scenario = Scenario("climb", (late(6, id=1),), ((1, 1, (1,), "100.00", {1: 1}),))
    company, _customers, entries = build(scenario, D)
    run_followups(company=company, as_of=D, trigger="command")
    Proposal.objects.filter(company=company).update(email_subject="Edited", texts_edited=True)
    LedgerEntry.objects.filter(pk=entries[1].pk).update(followup_level=1, followup_level_on=D)
    run_followups(company=company, as_of=D + dt.timedelta(days=1), trigger="command")
    [proposal] = Proposal.objects.filter(company=company, status="open")
    assert proposal.level.sequence == 2
    assert (proposal.email_subject, proposal.texts_edited) == ("Reminder 2", False)


def test_a_proposal_no_longer_due_is_withdrawn_and_a_paid_entry_leaves_its_lines():
    scenario = Scenario("pay", (late(10, id=1), late(12, id=2)),
                        ((1, 1, (1, 2), "200.00", {1: 1, 2: 1}),))  # fmt: skip
    company, _customers, entries = build(scenario, D)
    run_followups(company=company, as_of=D, trigger="command")
    pay_down(entries[1], "0.00")
    run_followups(company=company, as_of=D, trigger="command")
    [proposal] = Proposal.objects.filter(company=company, status="open")
    assert list(proposal.lines.values_list("entry_id", flat=True)) == [entries[2].pk]
    pay_down(entries[2], "0.00")  # the payment withdraws it at once, in its transaction
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN and proposal.closed_at is not None
    run = run_followups(company=company, as_of=D, trigger="command")
    assert (run.proposals_created, run.proposals_refreshed, run.proposals_withdrawn) == (0, 0, 0)
    assert not Proposal.objects.filter(company=company, status="open").exists()


def test_a_postponed_proposal_stays_postponed_when_refreshed():
    scenario = Scenario("postponed", (late(10, id=1),), ((1, 1, (1,), "100.00", {1: 1}),))
    company, _customers, entries = build(scenario, D)
    run_followups(company=company, as_of=D, trigger="command")
    Proposal.objects.filter(company=company).update(
        status="postponed", postponed_until=D + dt.timedelta(days=3)
    )
    pay_down(entries[1], "80.00")  # refreshes it at once, in the payment's transaction
    [proposal] = Proposal.objects.filter(company=company)
    assert proposal.status == "postponed" and proposal.total_lcy == Decimal("80.00")
    run = run_followups(company=company, as_of=D + dt.timedelta(days=1), trigger="command")
    assert run.proposals_created == 0
    [proposal] = Proposal.objects.filter(company=company)
    assert proposal.status == "postponed" and proposal.total_lcy == Decimal("80.00")


@pytest.mark.parametrize(
    ("utc_now", "proposed"),
    [
        # 11:30 UTC on 9 March is 00:30 on 10 March in Auckland: the entry is 7 days late there.
        (dt.datetime(2026, 3, 9, 11, 30, tzinfo=dt.UTC), True),
        # 10:30 UTC is still 23:30 on 9 March in Auckland: 6 days late, level 2 not due.
        (dt.datetime(2026, 3, 9, 10, 30, tzinfo=dt.UTC), False),
    ],
)
def test_the_date_is_the_companys_own_not_utcs(utc_now, proposed):
    company = CompanyFactory(time_zone="Pacific/Auckland", base_currency="NZD")
    scenario = Scenario("nz", (late(7, id=1, last_level=1),), ())
    _, _customers, _entries = build(scenario, D, company=company)
    with time_machine.travel(utc_now, tick=False):
        run = run_followups(company=company, trigger="schedule")
    assert run.run_date == (D if proposed else D - dt.timedelta(days=1))
    assert Proposal.objects.filter(company=company, status="open").exists() is proposed


def test_each_run_is_recorded_with_its_counts_and_duration():
    scenario = TWO_CUSTOMERS
    company, _, _ = build(scenario, D)
    run = run_followups(company=company, as_of=D, trigger="command")
    run.refresh_from_db()
    assert run.status == "done" and run.started_at <= run.finished_at
    assert run.duration_ms is not None and run.error == ""
    assert (run.proposals_created, run.proposals_open) == (2, 2)
    assert run.entries_chaseable == 3


def test_a_failing_run_is_recorded_and_changes_nothing(monkeypatch):
    scenario = TWO_CUSTOMERS
    company, _, _ = build(scenario, D)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("followups.engine._merge", broken)
    run = run_followups(company=company, as_of=D, trigger="command")
    run.refresh_from_db()
    assert run.status == "failed" and "the database went away" in run.error
    assert run.finished_at is not None
    assert not Proposal.objects.filter(company=company).exists()


def test_customer_rules_use_only_the_plans_reminder_channels():
    # A skipped level is not a reminder: the customer is proposed again the next day.
    from followups.models import Channel, FollowUpAction

    scenario = Scenario("skipped", (late(10, id=1, last_level=1),), ())
    company, customers, _ = build(scenario, D)
    FollowUpAction.objects.create(company=company, customer=customers[1], channel=Channel.SKIPPED,
                                  on=D - dt.timedelta(days=1))  # fmt: skip
    run_followups(company=company, as_of=D + dt.timedelta(days=1), trigger="command")
    assert Proposal.objects.filter(company=company, status="open").exists()
