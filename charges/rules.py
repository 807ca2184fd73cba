"""The one Python definition of a late-payment charge on one entry, as of a date *D*.

Plain Python, no Django: the set-based SQL of ``charges.queries`` computes the same
figures for many entries at once, and a Hypothesis test holds the two to agree.

Interest (issue 15 §2): simple interest, actual days / 365, on the undisputed remaining
amount, from the day after the due date to *D* inclusive. The annual rate is either a
fixed rate, or a reference rate plus a margin, where the reference rate of a day is the
latest rate whose date is not after that day (a rate applies from its date); the period
is split at each rate's date. Nothing is rounded until the end, where the sum is rounded
half-up to the cent. Days before the first known reference rate count at the margin alone
(a reference rate of zero): the presets ship the published rates back to 2020.

Fixed compensation: once per invoice once it is overdue, the amount of the band its
amount (in the company's base currency) falls in, a band running from its lower bound
(inclusive) to the next band's.

Decisions (as a credit manager would expect):
- Only open invoices and debit memos with an undisputed remaining amount above zero carry
  charges; an entry fully disputed carries neither interest nor compensation.
- The due date itself is not late: on the due date the interest is zero and no
  compensation is due; the day after, one day of interest is.
- A part-paid entry charges interest on what is left (undisputed), over the whole period:
  the product charges on the balance as it stands, as the integrator posts it.
- Interest is in the entry's currency; its base-currency figure is the interest at the
  entry's exchange rate, rounded half-up to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
DAYS_IN_YEAR = 365


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class InterestTerms:
    """Fixed: ``fixed_rate`` (percent a year). Reference: the dated ``rates`` (date the
    rate applies from, percent a year; any order) plus ``margin`` points."""

    fixed_rate: Decimal | None = None
    rates: Sequence[tuple[dt.date, Decimal]] = ()
    margin: Decimal = ZERO


def rate_periods(
    terms: InterestTerms, start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date, Decimal]]:
    """``[start, end]`` cut at each reference rate's date: (first day, last day, annual
    percent) for each piece; empty when ``end`` is before ``start``."""
    if end < start:
        return []
    if terms.fixed_rate is not None:
        return [(start, end, terms.fixed_rate)]
    ordered = sorted(terms.rates)
    pieces = []
    cursor = start
    while cursor <= end:
        current = ZERO
        following = None
        for day, rate in ordered:
            if day <= cursor:
                current = rate
            elif following is None:
                following = day
        last = min(end, following - dt.timedelta(days=1)) if following else end
        pieces.append((cursor, last, current + terms.margin))
        cursor = last + dt.timedelta(days=1)
    return pieces


def interest(
    *, undisputed: Decimal, due_date: dt.date, as_of: dt.date, terms: InterestTerms
) -> Decimal:
    """The interest on ``undisputed`` (entry currency) from the day after ``due_date`` to
    ``as_of``, rounded half-up to the cent at the end; never negative."""
    if undisputed <= 0:
        return ZERO
    periods = rate_periods(terms, due_date + dt.timedelta(days=1), as_of)
    rate_days = sum(((last - first).days + 1) * rate for first, last, rate in periods)
    exact = Decimal(undisputed) * Decimal(rate_days) / (100 * DAYS_IN_YEAR)
    return max(half_up(exact), ZERO)


def compensation(*, amount_lcy: Decimal, bands: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """The fixed compensation for an invoice of ``amount_lcy``: the band (lower bound,
    amount) with the highest lower bound not above it; zero when none applies."""
    found = ZERO
    for low, fixed in sorted(bands):
        if amount_lcy >= low:
            found = fixed
    return found


@dataclass(frozen=True)
class EntryCharges:
    interest: Decimal
    interest_lcy: Decimal
    compensation_lcy: Decimal
    days: int


def entry_charges(
    *,
    remaining: Decimal,
    disputed: Decimal,
    amount_lcy: Decimal,
    exchange_rate: Decimal,
    due_date: dt.date,
    as_of: dt.date,
    terms: InterestTerms | None,
    bands: Sequence[tuple[Decimal, Decimal]],
    is_debit: bool = True,
    interest_posted_to: dt.date | None = None,
    compensation_posted: bool = False,
) -> EntryCharges:
    """Everything one entry carries as of ``as_of`` and not yet posted: interest from the
    day after the due date (or after ``interest_posted_to``, the last day of interest the
    accounting system has posted), and the compensation unless posted. Zero when the entry
    is not late, not a debit or fully disputed."""
    undisputed = remaining - disputed
    if not is_debit or undisputed <= 0 or as_of <= due_date:
        return EntryCharges(ZERO, ZERO, ZERO, 0)
    since = max(due_date, interest_posted_to or due_date)
    days = max((as_of - since).days, 0)
    owed = interest(undisputed=undisputed, due_date=since, as_of=as_of, terms=terms) \
        if terms is not None else ZERO  # fmt: skip
    return EntryCharges(
        interest=owed,
        interest_lcy=half_up(owed * exchange_rate),
        compensation_lcy=ZERO
        if compensation_posted
        else compensation(amount_lcy=amount_lcy, bands=bands),
        days=days,
    )
