"""Invariants of the charge rules, hunted by Hypothesis (pure Python, no database):

- no charge on or before the due date, and never a negative one;
- interest only grows with the days (rates are not negative);
- splitting the period at any day changes the interest by at most a cent (each part is
  rounded once, at its end, and the exact amounts add up);
- the UK preset's compensation never falls as the invoice grows, and is always one of
  £40 / £70 / £100.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from charges.presets import PRESETS
from charges.rules import InterestTerms, compensation, interest

day = st.integers(min_value=0, max_value=3 * 366).map(
    lambda n: dt.date(2023, 1, 1) + dt.timedelta(days=n)
)
money = st.integers(min_value=0, max_value=10**10).map(lambda c: D(c) / 100)
rate = st.integers(min_value=0, max_value=200000).map(lambda n: D(n) / 10000)
terms = st.one_of(
    rate.map(lambda r: InterestTerms(fixed_rate=r)),
    st.builds(lambda rates, margin: InterestTerms(rates=rates, margin=margin),
              st.lists(st.tuples(day, rate), max_size=6, unique_by=lambda t: t[0]), rate),
)  # fmt: skip


@given(money, day, day, terms)
def test_nothing_on_or_before_the_due_date_and_never_negative(amount, due, as_of, t):
    owed = interest(undisputed=amount, due_date=due, as_of=as_of, terms=t)
    assert owed >= 0
    if as_of <= due:
        assert owed == 0


@given(money, day, st.integers(0, 400), st.integers(0, 400), terms)
def test_interest_grows_with_the_days(amount, due, a, b, t):
    early, late = sorted((a, b))
    first = interest(undisputed=amount, due_date=due, as_of=due + dt.timedelta(days=early), terms=t)
    second = interest(undisputed=amount, due_date=due, as_of=due + dt.timedelta(days=late), terms=t)
    assert first <= second


@given(money, day, st.integers(0, 500), st.integers(0, 500), terms)
def test_splitting_the_period_changes_it_by_at_most_a_cent(amount, due, a, b, t):
    cut, end = sorted((a, b))
    middle, last = due + dt.timedelta(days=cut), due + dt.timedelta(days=end)
    whole = interest(undisputed=amount, due_date=due, as_of=last, terms=t)
    parts = (interest(undisputed=amount, due_date=due, as_of=middle, terms=t)
             + interest(undisputed=amount, due_date=middle, as_of=last, terms=t))  # fmt: skip
    assert abs(whole - parts) <= D("0.01")


@given(money, money)
def test_uk_compensation_never_falls_as_the_invoice_grows(a, b):
    bands = PRESETS["UK"].bands
    small, large = sorted((a, b))
    assert compensation(amount_lcy=small, bands=bands) <= compensation(
        amount_lcy=large, bands=bands
    )
    assert compensation(amount_lcy=large, bands=bands) in (D(40), D(70), D(100))
