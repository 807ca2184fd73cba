"""The charge rules (``charges.rules``) as tables, and the presets against the published
guidance's worked examples.

Sources cited:
- UK: gov.uk, "Late commercial payments: charging interest and debt recovery" — statutory
  interest is 8 % plus the Bank of England base rate (the reference rate fixed on 30 June
  and 31 December for the following six months); its example: a £1,000 debt with a
  reference rate of 0.5 % carries 8.5 % a year, £85 a year, about 23p a day. Fixed sums
  per debt: £40 (up to £999.99), £70 (£1,000 to £9,999.99), £100 (£10,000 or more).
- Germany: BGB § 288 (2) (base rate + 9 points between businesses) and (5) (a €40 flat
  fee); Deutsche Bundesbank, "Basiszinssatz nach § 247 BGB": 3.62 % from 1 January 2024,
  3.37 % from 1 July 2024.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from charges.rules import InterestTerms, compensation, entry_charges, interest, rate_periods

TEN = InterestTerms(fixed_rate=D("10"))
UK_BANDS = [(D("0"), D("40")), (D("1000"), D("70")), (D("10000"), D("100"))]
DE_BANDS = [(D("0"), D("40"))]
GUIDANCE_UK = InterestTerms(rates=[(dt.date(2016, 1, 1), D("0.5"))], margin=D("8"))
BUNDESBANK = InterestTerms(
    rates=[(dt.date(2024, 1, 1), D("3.62")), (dt.date(2024, 7, 1), D("3.37"))], margin=D("9")
)
DUE = dt.date(2026, 1, 1)


def days(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("undisputed", "due", "as_of", "terms", "expected", "why"),
    [
        (D("100.00"), DUE, days(15), TEN, D("0.41"), "the issue's worked example"),
        (D("100.00"), DUE, DUE, TEN, D("0.00"), "on the due date nothing is late"),
        (D("100.00"), DUE, days(-3), TEN, D("0.00"), "before the due date"),
        (D("100.00"), DUE, days(1), TEN, D("0.03"), "the day after: one day (0.0274)"),
        (D("18.25"), DUE, days(1), TEN, D("0.01"), "exactly half a cent rounds up"),
        (D("18.24"), DUE, days(1), TEN, D("0.00"), "just under half a cent rounds down"),
        (D("100.00"), dt.date(2024, 2, 28), dt.date(2024, 3, 1), TEN, D("0.05"),
         "leap year: 29 February is a day (2 days)"),
        (D("100.00"), dt.date(2023, 12, 31), dt.date(2024, 12, 31), TEN, D("10.03"),
         "a leap year is 366 days over 365"),
        (D("1000.00"), dt.date(2026, 6, 20), dt.date(2026, 7, 10),
         InterestTerms(rates=[(dt.date(2026, 1, 1), D("4")), (dt.date(2026, 7, 1), D("3"))],
                       margin=D("8")),
         D("6.30"), "a rate change mid-period: 10 days at 12 %, 10 at 11 %"),
        (D("1000.00"), dt.date(2019, 12, 1), dt.date(2019, 12, 31),
         InterestTerms(rates=[(dt.date(2020, 1, 1), D("0.75"))], margin=D("8")),
         D("6.58"), "before the first known rate: the margin alone (30 days at 8 %)"),
        (D("0.00"), DUE, days(30), TEN, D("0.00"), "nothing undisputed"),
    ],
)  # fmt: skip
def test_interest_table(undisputed, due, as_of, terms, expected, why):
    assert interest(undisputed=undisputed, due_date=due, as_of=as_of, terms=terms) == expected, why


def test_periods_are_cut_at_each_rate_date_and_cover_every_day_once():
    pieces = rate_periods(BUNDESBANK, dt.date(2024, 6, 1), dt.date(2024, 7, 31))
    assert pieces == [
        (dt.date(2024, 6, 1), dt.date(2024, 6, 30), D("12.62")),
        (dt.date(2024, 7, 1), dt.date(2024, 7, 31), D("12.37")),
    ]


def test_uk_guidance_example_8_5_percent_on_1000_pounds():
    """gov.uk: £1,000 at 0.5 % + 8 % = £85 a year, about 23p a day. A year late is £85.00;
    30 days are 85 x 30 / 365 = £6.99 (the product rounds once, at the end, as the issue
    requires, not 30 x 23p)."""
    due = dt.date(2016, 3, 31)
    year = interest(undisputed=D("1000"), due_date=due, as_of=due + dt.timedelta(days=365),
                    terms=GUIDANCE_UK)  # fmt: skip
    one_day = interest(undisputed=D("1000"), due_date=due, as_of=due + dt.timedelta(days=1),
                       terms=GUIDANCE_UK)  # fmt: skip
    month = interest(undisputed=D("1000"), due_date=due, as_of=due + dt.timedelta(days=30),
                     terms=GUIDANCE_UK)  # fmt: skip
    assert (year, one_day, month) == (D("85.00"), D("0.23"), D("6.99"))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(D("0.01"), D("40")), (D("999.99"), D("40")), (D("1000.00"), D("70")),
     (D("9999.99"), D("70")), (D("10000.00"), D("100")), (D("250000"), D("100"))],
)  # fmt: skip
def test_uk_fixed_sums_by_debt_size(amount, expected):
    """gov.uk: £40 up to £999.99, £70 from £1,000 to £9,999.99, £100 from £10,000."""
    assert compensation(amount_lcy=amount, bands=UK_BANDS) == expected


def test_german_example_across_the_1_july_2024_base_rate_change():
    """BGB § 288 (2): base rate + 9 points. €10,000 due 31 May 2024, paid 31 July 2024:
    June at 3.62 + 9 = 12.62 % (30 days), July at 3.37 + 9 = 12.37 % (31 days):
    10,000 x (12.62 x 30 + 12.37 x 31) / 36,500 = 208.786… → €208.79; and § 288 (5): €40."""
    result = entry_charges(
        remaining=D("10000"), disputed=D("0"), amount_lcy=D("10000"), exchange_rate=D("1"),
        due_date=dt.date(2024, 5, 31), as_of=dt.date(2024, 7, 31), terms=BUNDESBANK,
        bands=DE_BANDS,
    )  # fmt: skip
    assert (result.interest, result.compensation_lcy, result.days) == (D("208.79"), D("40"), 61)


@pytest.mark.parametrize(
    ("kwargs", "interest_", "interest_lcy", "comp", "why"),
    [
        ({}, D("0.41"), D("0.41"), D("40"), "plain"),
        ({"as_of": DUE}, D("0"), D("0"), D("0"), "on the due date: no compensation either"),
        ({"disputed": D("40")}, D("0.25"), D("0.25"), D("40"), "interest on the undisputed 60"),
        ({"disputed": D("100")}, D("0"), D("0"), D("0"), "fully disputed: nothing"),
        ({"remaining": D("50"), "amount_lcy": D("1200")}, D("0.21"), D("0.21"), D("70"),
         "part-paid: interest on what is left; the band by the invoice's amount"),
        ({"exchange_rate": D("0.8")}, D("0.41"), D("0.33"), D("40"),
         "foreign currency: interest in the entry's currency, 0.328 in the base one"),
        ({"is_debit": False}, D("0"), D("0"), D("0"), "a credit carries nothing"),
        ({"interest_posted_to": days(10)}, D("0.14"), D("0.14"), D("40"),
         "interest posted to day 10: days 11-15 only"),
        ({"compensation_posted": True}, D("0.41"), D("0.41"), D("0"), "compensation posted"),
        ({"terms": None}, D("0"), D("0"), D("40"), "no interest terms"),
    ],
)  # fmt: skip
def test_entry_charges_table(kwargs, interest_, interest_lcy, comp, why):
    base = {"remaining": D("100"), "disputed": D("0"), "amount_lcy": D("100"),
            "exchange_rate": D("1"), "due_date": DUE, "as_of": days(15), "terms": TEN,
            "bands": UK_BANDS}  # fmt: skip
    result = entry_charges(**{**base, **kwargs})
    assert (result.interest, result.interest_lcy, result.compensation_lcy) == (
        interest_, interest_lcy, comp), why  # fmt: skip
