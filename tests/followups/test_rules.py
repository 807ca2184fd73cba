"""The chasing rules as tables, without a database (followups/rules.py)."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from followups.rules import Customer, Entry, Plan, due_level, is_chaseable, next_level, proposals

D = dt.date(2026, 3, 10)
# Levels: 1 at -5 days (a courtesy note before the due date), 2 at +7, 3 at +30.
PLAN = Plan(level_days=(-5, 7, 30), min_days_between=7, min_amount=Decimal("10.00"))
CUSTOMER = Customer(id=1)


def entry(days_late: int, **kwargs) -> Entry:
    values = {"id": 1, "customer_id": 1, "due_date": D - dt.timedelta(days=days_late),
              "remaining": Decimal("100.00")}  # fmt: skip
    values.update(kwargs)
    return Entry(**values)


@pytest.mark.parametrize(
    ("days_late", "level"),
    [(-6, 0), (-5, 1), (0, 1), (6, 1), (7, 2), (29, 2), (30, 3), (400, 3)],
)
def test_due_level_is_the_highest_level_whose_days_have_passed(days_late, level):
    assert due_level(PLAN, D - dt.timedelta(days=days_late), D) == level


@pytest.mark.parametrize(
    ("last_level", "expected"),
    [(0, 2), (1, 2), (2, 3), (3, None)],
)
def test_an_entry_fifty_days_late_climbs_one_level_per_execution_past_the_courtesy_level(
    last_level, expected
):
    assert next_level(PLAN, entry(50, last_level=last_level), D) == expected


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [(-6, None), (-5, 1), (0, 1), (1, None), (6, None), (7, 2), (30, 2)],
)
def test_the_courtesy_level_is_only_for_debt_not_yet_past_due(days_late, expected):
    assert next_level(PLAN, entry(days_late), D) == expected


def test_an_entry_climbs_at_most_one_level_a_day():
    assert next_level(PLAN, entry(50, last_level=1, last_level_on=D), D) is None
    assert next_level(PLAN, entry(50, last_level=1, last_level_on=D - dt.timedelta(1)), D) == 2


def test_next_level_waits_until_it_is_due():
    assert next_level(PLAN, entry(6, last_level=1), D) is None
    assert next_level(PLAN, entry(7, last_level=1), D) == 2


@pytest.mark.parametrize(
    ("changes", "chaseable"),
    [
        ({}, True),
        ({"exclude_forever": True}, False),
        ({"exclude_until": D + dt.timedelta(days=1)}, False),
        ({"exclude_until": D}, True),
        ({"expected_payment_date": D + dt.timedelta(days=1)}, False),
        ({"expected_payment_date": D}, True),
        ({"has_open_promise": True}, False),
        ({"disputed": Decimal("100.00")}, False),
        ({"disputed": Decimal("90.00")}, False),  # 10.00 undisputed is not above the minimum
        ({"disputed": Decimal("89.99")}, True),
        ({"remaining": Decimal("10.00")}, False),
        ({"remaining": Decimal("10.01")}, True),
        ({"remaining": Decimal("0.00")}, False),
        ({"is_debit": False, "remaining": Decimal("-100.00")}, False),
    ],
)
def test_chaseable(changes, chaseable):
    assert is_chaseable(entry(10, **changes), CUSTOMER, PLAN, D) is chaseable


def test_an_excluded_customer_has_nothing_chaseable():
    assert not is_chaseable(entry(10), Customer(id=1, excluded=True), PLAN, D)


def test_one_proposal_per_customer_at_the_highest_next_level_listing_overdue_entries():
    entries = [
        entry(40, id=1, last_level=2),  # next 3, due
        entry(8, id=2, last_level=0),  # past due: the courtesy level skipped, next 2, due
        entry(3, id=3, last_level=1),  # overdue, next level 2 not due: listed anyway
        entry(-20, id=4),  # not yet due, no level due: not listed
    ]
    [proposal] = proposals(PLAN, [CUSTOMER], entries, D)
    assert proposal.level == 3
    assert proposal.entry_ids == (1, 2, 3)
    assert proposal.total == Decimal("300.00")
    assert proposal.entry_levels == {1: 3, 2: 2}


@pytest.mark.parametrize(
    ("last_reminder_days_ago", "proposed"), [(None, True), (6, False), (7, True), (30, True)]
)
def test_minimum_interval_between_two_reminders(last_reminder_days_ago, proposed):
    last = None if last_reminder_days_ago is None else D - dt.timedelta(days=last_reminder_days_ago)
    customer = Customer(id=1, last_reminder_on=last)
    assert bool(proposals(PLAN, [customer], [entry(10)], D)) is proposed


@pytest.mark.parametrize(
    ("credit", "proposed"),
    [(Decimal("-50.00"), True), (Decimal("-100.00"), False), (Decimal("-150.00"), False)],
)
def test_open_credits_or_unapplied_cash_covering_the_balance_stop_the_proposal(credit, proposed):
    entries = [entry(10), entry(0, id=2, remaining=credit, is_debit=False)]
    assert bool(proposals(PLAN, [CUSTOMER], entries, D)) is proposed


def test_a_paid_entry_leaves_the_plan():
    assert proposals(PLAN, [CUSTOMER], [entry(10, remaining=Decimal("0.00"))], D) == []


def test_plan_may_pause_a_customer_with_an_open_promise():
    paused = dataclasses.replace(PLAN, pause_while_promised=True)
    customer = Customer(id=1, has_open_promise=True)
    assert proposals(PLAN, [customer], [entry(10)], D)
    assert proposals(paused, [customer], [entry(10)], D) == []


def test_levels_must_be_in_day_order():
    with pytest.raises(ValueError, match="ordered"):
        Plan(level_days=(7, -5))
