"""Chasing scenarios as tables: each one is run through the plain-Python rules
(test_rules_tables.py) and through the SQL engine (test_engine_tables.py), and both must
give the expected proposals.

Plan levels: 1 at -5 days (before the due date: a courtesy level), 2 at +7, 3 at +30;
seven days between reminders; nothing chased at or below 10.00. Amounts are in the
company's currency. An entry first seen past due skips the courtesy level (the catch-up
rule), so most overdue scenarios start at level 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from followups.rules import Customer, Entry, Plan

D = dt.date(2026, 3, 10)
PLAN = Plan(level_days=(-5, 7, 30), min_days_between=7, min_amount=Decimal("10.00"))
PAUSING = dataclasses.replace(PLAN, pause_while_promised=True)
NO_INTERVAL = dataclasses.replace(PLAN, min_days_between=0)
C1 = Customer(id=1)


def late(days: int, **kwargs) -> Entry:
    """An open invoice of customer 1 for 100.00, ``days`` past its due date on D."""
    values = {
        "id": 1,
        "customer_id": 1,
        "due_date": D - dt.timedelta(days=days),
        "remaining": Decimal("100.00"),
    }
    values.update(kwargs)
    return Entry(**values)


def ago(days: int) -> dt.date:
    return D - dt.timedelta(days=days)


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    entries: tuple[Entry, ...]
    # Expected: (customer id, level, entry ids listed, total, {entry id: its own level}).
    expected: tuple[tuple[int, int, tuple[int, ...], str, dict[int, int]], ...]
    customers: tuple[Customer, ...] = (C1,)
    plan: Plan = PLAN


def one(level: int, ids: tuple[int, ...] = (1,), total: str = "100.00", levels=None):
    return ((1, level, ids, total, levels if levels is not None else {1: level}),)


NOTHING: tuple = ()

SCENARIOS = [
    # Levels before the due date (negative days), and the boundaries.
    Scenario("five_days_before_due_gets_the_courtesy_level", (late(-5),), one(1)),
    Scenario("six_days_before_due_gets_nothing", (late(-6),), NOTHING),
    Scenario("exactly_seven_days_late_reaches_level_2", (late(7, last_level=1),), one(2)),
    Scenario("six_days_late_after_level_1_waits", (late(6, last_level=1),), NOTHING),
    Scenario("exactly_thirty_days_late_reaches_level_3", (late(30, last_level=2),), one(3)),
    # Fifty days late when first seen: past the courtesy level, then one level per
    # execution, never skipping a level after the due date.
    Scenario("fifty_days_late_first_seen_skips_the_courtesy_level", (late(50),), one(2)),
    Scenario("fifty_days_late_after_level_1_climbs_to_2", (late(50, last_level=1),), one(2)),
    Scenario("fifty_days_late_after_level_2_climbs_to_3", (late(50, last_level=2),), one(3)),
    Scenario("fifty_days_late_after_the_last_level_stays", (late(50, last_level=3),), NOTHING),
    # The minimum interval between two reminders.
    Scenario(
        "reminded_six_days_ago_waits",
        (late(10),),
        NOTHING,
        customers=(Customer(id=1, last_reminder_on=ago(6)),),
    ),
    Scenario(
        "reminded_seven_days_ago_is_proposed",
        (late(10),),
        one(2),
        customers=(Customer(id=1, last_reminder_on=ago(7)),),
    ),
    Scenario(
        "no_interval_still_one_proposal_a_day",
        (late(50, last_level=1),),
        NOTHING,
        customers=(Customer(id=1, proposal_closed_on=D),),
        plan=NO_INTERVAL,
    ),
    Scenario(
        "no_interval_next_day_climbs_again",
        (late(50, last_level=1),),
        one(2),
        customers=(Customer(id=1, proposal_closed_on=ago(1)),),
        plan=NO_INTERVAL,
    ),
    # Exclusions and the expected payment date.
    Scenario("excluded_forever", (late(10, exclude_forever=True),), NOTHING),
    Scenario("excluded_until_tomorrow", (late(10, exclude_until=ago(-1)),), NOTHING),
    Scenario("excluded_until_today_is_back", (late(10, exclude_until=D),), one(2)),
    Scenario("expected_tomorrow", (late(10, expected_payment_date=ago(-1)),), NOTHING),
    Scenario("expected_today_is_chased", (late(10, expected_payment_date=D),), one(2)),
    Scenario("customer_excluded", (late(10),), NOTHING, customers=(Customer(id=1, excluded=True),)),
    # Disputes, promises.
    Scenario("disputed_whole", (late(10, disputed=Decimal("100.00")),), NOTHING),
    Scenario("disputed_leaving_the_minimum", (late(10, disputed=Decimal("90.00")),), NOTHING),
    Scenario("disputed_in_part", (late(10, disputed=Decimal("40.00")),), one(2, total="60.00")),
    Scenario("entry_promised", (late(10, has_open_promise=True),), NOTHING),
    Scenario(
        "customer_promised_plan_pauses",
        (late(10),),
        NOTHING,
        customers=(Customer(id=1, has_open_promise=True),),
        plan=PAUSING,
    ),
    Scenario(
        "customer_promised_plan_does_not_pause",
        (late(10),),
        one(2),
        customers=(Customer(id=1, has_open_promise=True),),
    ),
    # Open credits and unapplied cash against the balance.
    Scenario(
        "credit_covers_part",
        (late(10), late(0, id=2, remaining=Decimal("-50.00"), is_debit=False)),
        one(2),
    ),
    Scenario(
        "credit_covers_all",
        (late(10), late(0, id=2, remaining=Decimal("-100.00"), is_debit=False)),
        NOTHING,
    ),
    Scenario(
        "cash_exceeds",
        (late(10), late(0, id=2, remaining=Decimal("-150.00"), is_debit=False)),
        NOTHING,
    ),
    # The minimum amount and a paid entry.
    Scenario("at_the_minimum", (late(10, remaining=Decimal("10.00")),), NOTHING),
    Scenario("above_the_minimum", (late(10, remaining=Decimal("10.01")),), one(2, total="10.01")),
    Scenario("paid_entry_leaves_the_plan", (late(10, remaining=Decimal("0.00")),), NOTHING),
    # Several entries: the highest next level, every overdue entry listed.
    Scenario(
        "highest_next_level_lists_every_overdue_entry",
        (late(40, id=1, last_level=2), late(8, id=2), late(3, id=3, last_level=1), late(-20, id=4)),
        ((1, 3, (1, 2, 3), "300.00", {1: 3, 2: 2}),),
    ),
    Scenario(
        "two_customers_one_proposal_each",
        (
            late(10, id=1),
            late(35, id=2, customer_id=2, last_level=1),
            late(1, id=3, customer_id=2, last_level=1),
        ),
        ((1, 2, (1,), "100.00", {1: 2}), (2, 2, (2, 3), "200.00", {2: 2})),
        customers=(C1, Customer(id=2)),
    ),
    # The catch-up rule: courtesy levels are for debt not yet past due.
    Scenario("due_today_still_gets_the_courtesy_level", (late(0),), one(1)),
    Scenario("one_day_late_first_seen_waits_for_the_first_level_after_due", (late(1),), NOTHING),
    Scenario("seven_days_late_first_seen_gets_the_first_level_after_due", (late(7),), one(2)),
    Scenario(
        "courtesy_proposal_lists_only_entries_not_yet_due",
        (late(-3, id=1), late(3, id=2, last_level=1)),
        ((1, 1, (1,), "100.00", {1: 1}),),
    ),
    Scenario(
        "courtesy_and_overdue_levels_due_take_the_higher_and_list_both",
        (late(-3, id=1), late(10, id=2)),
        ((1, 2, (1, 2), "200.00", {1: 1, 2: 2}),),
    ),
    Scenario(
        "a_plan_without_courtesy_levels_starts_overdue_debt_at_level_1",
        (late(10),),
        one(1),
        plan=Plan(level_days=(7, 30), min_days_between=7, min_amount=Decimal("10.00")),
    ),
    Scenario(
        "a_plan_of_courtesy_levels_only_never_chases_overdue_debt",
        (late(10), late(-2, id=2)),
        ((1, 1, (2,), "100.00", {2: 1}),),
        plan=Plan(level_days=(-10, -5), min_days_between=7, min_amount=Decimal("10.00")),
    ),
    # At most one level a day.
    Scenario(
        "an_entry_that_climbed_today_climbs_no_further_today",
        (late(50, last_level=1, last_level_on=D),),
        NOTHING,
        plan=NO_INTERVAL,
    ),
    Scenario(
        "an_entry_that_climbed_today_is_listed_when_another_is_due",
        (late(50, id=1, last_level=1, last_level_on=D), late(10, id=2)),
        ((1, 2, (1, 2), "200.00", {2: 2}),),
        plan=NO_INTERVAL,
    ),
    Scenario(
        "an_entry_that_climbed_yesterday_climbs_today",
        (late(50, last_level=1, last_level_on=ago(1)),),
        one(2),
        plan=NO_INTERVAL,
    ),
]


def named(name: str) -> Scenario:
    return next(s for s in SCENARIOS if s.name == name)


# Two customers with a proposal each, and one customer with two entries at two levels.
TWO_CUSTOMERS = named("two_customers_one_proposal_each")
MIXED_LEVELS = named("highest_next_level_lists_every_overdue_entry")
