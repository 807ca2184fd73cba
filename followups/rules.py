"""The chasing rules of the follow-up engine, as plain Python: dataclasses in, dataclasses
out, an explicit ``as_of`` date, no Django. The engine's set-based SQL implements the same
rules and is tested against the same tables.

For a date *D* (the company's own today), DESIGN.md's steps 1-3:

1. An entry is *chaseable* when it is an open invoice or debit memo, its customer is not
   excluded, it is not excluded (forever, or until a date after *D*), its expected
   payment date is not after *D*, it has no open promise, and its undisputed remaining
   amount is above the plan's minimum.
2. Its *due level* is the highest level with ``D - due_date >= days``. An entry climbs
   one level at a time: its *next level* is the one after the last executed for it,
   proposed once that level is due. A level with negative days is a *courtesy* reminder
   before the due date: an entry already past due on *D* (due before *D*) skips the
   courtesy levels it has not had and goes on from the first level after its due date
   (the *catch-up* rule: overdue debt never gets a "falls due shortly" text). An entry
   whose level was executed on *D* climbs no further on *D*.
3. A customer gets one proposal when it has chaseable entries whose next level is due,
   its net balance (after open credits and unapplied cash) is positive, and its last
   reminder is at least the plan's minimum interval ago (and, when the plan pauses for
   promises, it has no open promise; nor when a proposal of it was executed or skipped
   on *D* already, whenever that proposal was made). The proposal's level is the highest
   next level among its entries; it lists every chaseable entry that is overdue or whose
   next level is due — except at a courtesy level, where it lists only the entries whose
   (courtesy) level is due, none of them overdue: an overdue entry of the customer waits
   for its first level after the due date, and is listed with the others then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Plan:
    """A company's plan: level day offsets in level order (1, 2, ...) and its options."""

    level_days: tuple[int, ...]
    min_days_between: int = 0
    min_amount: Decimal = ZERO
    pause_while_promised: bool = False
    pause_on_reply: bool = False

    def __post_init__(self) -> None:
        if list(self.level_days) != sorted(self.level_days):
            raise ValueError("Levels are ordered by their days: each at least the one before.")

    @property
    def courtesy_levels(self) -> int:
        """How many levels come before the due date (negative days): levels 1..this."""
        return sum(1 for days in self.level_days if days < 0)


@dataclass(frozen=True)
class Entry:
    """What the rules need to know about one ledger entry on *D*."""

    id: int
    customer_id: int
    due_date: dt.date
    remaining: Decimal  # LCY; for credits negative
    is_debit: bool = True
    disputed: Decimal = ZERO  # LCY, of an open dispute
    exclude_forever: bool = False
    exclude_until: dt.date | None = None
    expected_payment_date: dt.date | None = None
    has_open_promise: bool = False
    last_level: int = 0  # 0: no level executed yet
    last_level_on: dt.date | None = None  # the date that level was executed


@dataclass(frozen=True)
class Customer:
    id: int
    excluded: bool = False
    last_reminder_on: dt.date | None = None
    has_open_promise: bool = False
    has_unhandled_reply: bool = False  # an email reply whose to-do is still open
    # The last date a proposal of the customer was executed or skipped on (its history,
    # not the date the proposal was made): not proposed again that day, so that a rerun
    # changes nothing and a level a day is the most.
    proposal_closed_on: dt.date | None = None


@dataclass(frozen=True)
class Proposal:
    customer_id: int
    level: int
    entry_ids: tuple[int, ...]
    total: Decimal  # LCY, undisputed remaining of the listed entries
    entry_levels: dict[int, int] = field(default_factory=dict, compare=False)


def is_chaseable(entry: Entry, customer: Customer, plan: Plan, as_of: dt.date) -> bool:
    """Step 1."""
    return (
        entry.is_debit
        and entry.remaining != 0
        and not customer.excluded
        and not entry.exclude_forever
        and not (entry.exclude_until is not None and entry.exclude_until > as_of)
        and not (entry.expected_payment_date is not None and entry.expected_payment_date > as_of)
        and not entry.has_open_promise
        and entry.remaining - entry.disputed > plan.min_amount
    )


def due_level(plan: Plan, due_date: dt.date, as_of: dt.date) -> int:
    """Step 2: the highest level whose days have passed (0 when none has)."""
    late = (as_of - due_date).days
    level = 0
    for number, days in enumerate(plan.level_days, start=1):
        if late >= days:
            level = number
    return level


def next_level(plan: Plan, entry: Entry, as_of: dt.date) -> int | None:
    """Step 2: the level after the last executed (past the courtesy levels once the entry
    is overdue), when it exists and is due; else None."""
    if entry.last_level_on is not None and entry.last_level_on >= as_of:
        return None  # a level a day at most
    wanted = entry.last_level + 1
    if entry.due_date < as_of:
        wanted = max(wanted, plan.courtesy_levels + 1)
    if wanted > len(plan.level_days) or due_level(plan, entry.due_date, as_of) < wanted:
        return None
    return wanted


def proposals(plan: Plan, customers: Iterable[Customer], entries: Iterable[Entry],
              as_of: dt.date) -> list[Proposal]:  # fmt: skip
    """Step 3: at most one proposal per customer, ordered by customer id."""
    by_customer: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_customer[entry.customer_id].append(entry)
    result = []
    for customer in sorted(customers, key=lambda c: c.id):
        own = by_customer.get(customer.id, [])
        net_balance = sum((e.remaining for e in own), ZERO)
        if net_balance <= 0 or customer.excluded:
            continue
        if plan.pause_while_promised and customer.has_open_promise:
            continue
        if plan.pause_on_reply and customer.has_unhandled_reply:
            continue
        if customer.proposal_closed_on == as_of:
            continue
        if customer.last_reminder_on is not None and (
            (as_of - customer.last_reminder_on).days < plan.min_days_between
        ):
            continue
        chaseable = [e for e in own if is_chaseable(e, customer, plan, as_of)]
        levels = {e.id: next_level(plan, e, as_of) for e in chaseable}
        due = {i: lvl for i, lvl in levels.items() if lvl is not None}
        if not due:
            continue
        level = max(due.values())
        courtesy = level <= plan.courtesy_levels
        listed_ids = tuple(sorted(
            e.id for e in chaseable if e.id in due or (e.due_date < as_of and not courtesy)
        ))  # fmt: skip
        total = sum((e.remaining - e.disputed for e in chaseable if e.id in listed_ids), ZERO)
        result.append(Proposal(customer.id, level, listed_ids, total, due))
    return result
