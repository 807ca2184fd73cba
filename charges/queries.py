"""Charges for many entries at once, in the database: the set-based twin of
``charges.rules`` (which defines them for one entry; a Hypothesis test holds the two to
agree).

``with_charges(entries, as_of)`` annotates a ledger-entry queryset with:

- ``ch_undisputed`` — remaining less the open dispute (entry currency);
- ``ch_after`` / ``ch_days`` — the day after which interest runs (the due date, or the
  last day of interest posted) and the number of days of interest to *D*;
- ``ch_interest`` / ``ch_interest_lcy`` — the interest not yet posted, rounded half-up
  to the cent at the end (entry currency, and at the entry's rate in the base currency);
- ``ch_compensation`` — the fixed compensation of its band (base currency), unless posted;
- ``ch_total_lcy`` — the two together in the base currency.

Every figure is one expression per row: the reference-rate periods are a correlated
subquery over the (small) rate table, summing rate x overlapping days per period, so a
report over a million entries is one statement. Arithmetic is exact: rates and amounts are
turned into integers (ten-thousandths of a percent, cents) and rounded half-up with integer
division on SQLite; PostgreSQL's ``numeric`` is exact already.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from ledger.models import DEBIT_TYPES

from .models import CompensationBand, PostedCharge, ReferenceRate

MONEY_OUT = DecimalField(max_digits=18, decimal_places=2)
INT = IntegerField()
# Where an entry's charge terms are: its company's plan (one per company today; with
# several plans per company, the customer's plan).
TERMS = "company__followup_plan__charge_terms"
EPOCH = dt.date(1970, 1, 1)
CENT = Decimal("0.01")


class DayNumber(Func):
    """Days since 1 January 1970 of a date column, as an integer."""

    output_field = INT

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) - DATE '1970-01-01')", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", params


class Units(Func):
    """A decimal x 10**places as an exact integer (places: 2 for cents, 4 for a rate)."""

    output_field = INT

    def __init__(self, expression, places: int):
        super().__init__(expression)
        self.places = places

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(ROUND(({sql}) * {10**self.places}) AS BIGINT)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(ROUND(({sql}) * {10**self.places}) AS INTEGER)", params


class HalfUpDivide(Func):
    """``a x b / divisor`` for integers, rounded half-up to an integer (cents); a negative
    result is zero (charges never are)."""

    output_field = INT

    def __init__(self, a, b, divisor: int):
        super().__init__(a, b)
        self.divisor = divisor

    def as_sql(self, compiler, connection, **extra):
        a, pa = compiler.compile(self.source_expressions[0])
        b, pb = compiler.compile(self.source_expressions[1])
        d = self.divisor
        return f"GREATEST(CAST(ROUND(CAST({a} AS NUMERIC) * ({b}) / {d}, 0) AS BIGINT), 0)", [
            *pa,
            *pb,
        ]

    def as_sqlite(self, compiler, connection, **extra):
        a, pa = compiler.compile(self.source_expressions[0])
        b, pb = compiler.compile(self.source_expressions[1])
        d = self.divisor
        # Integer division truncates toward zero: exact half-up for a product >= 0, and a
        # negative product ends at or below zero, which MAX turns to zero.
        return f"MAX((2 * {a} * {b} + {d}) / {2 * d}, 0)", [*pa, *pb]


class Money(Func):
    """Integer cents as money (a Decimal of two places, on SQLite too)."""

    output_field = MONEY_OUT

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), _cents]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(CAST({sql} AS NUMERIC(18, 2)) / 100)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} / 100.0)", params


def _cents(value, expression, connection):
    return None if value is None else Decimal(value).quantize(CENT)


def _int(value: int) -> Value:
    return Value(value, output_field=INT)


def _cumulative(rates: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(first day, rate, rate-days before it) for each rate of a series, in date order:
    ``A(d)``, the rate-days from the first rate's day to the day before ``d``, is
    ``before + rate x (d - first day)`` on the piece that holds ``d``."""
    pieces, before = [], 0
    for n, (first, rate) in enumerate(rates):
        pieces.append((first, rate, before))
        if n + 1 < len(rates):
            before += rate * (rates[n + 1][0] - first)
    return pieces


def _a_at(pieces: list[tuple[int, int, int]], day: int) -> int:
    """``A(day)`` in Python, for a fixed day (the as-of date's next day)."""
    value = 0
    for first, rate, before in pieces:
        if day >= first:
            value = before + rate * (day - first)
    return value


def _reference_rate_days(last: int) -> Case:
    """Σ reference rate (1/10,000 %) x its days inside [the row's ``ch_from_n``, last],
    for the row's series: ``A(last + 1) - A(ch_from_n)``, where ``A`` is the rates'
    running sum. The rate table is small and read once here; each row then costs a CASE
    over its series' rates, not a subquery (a day before the first rate counts zero)."""
    by_series: dict[str, list[tuple[int, int]]] = {}
    for series, valid_from, rate in ReferenceRate.objects.order_by("series", "valid_from") \
            .values_list("series", "valid_from", "rate"):  # fmt: skip
        by_series.setdefault(series, []).append(
            ((valid_from - EPOCH).days, int((rate * 10000).to_integral_value()))
        )
    branches = []
    start = F("ch_from_n")
    for series, rates in by_series.items():
        pieces = _cumulative(rates)
        at_start = Case(
            *[When(ch_from_n__gte=first, then=_int(before - rate * first) + _int(rate) * start)
              for first, rate, before in reversed(pieces)],
            default=_int(0), output_field=INT,
        )  # fmt: skip
        branches.append(When(Q(**{f"{TERMS}__reference_series": series}),
                             then=_int(_a_at(pieces, last + 1)) - at_start))  # fmt: skip
    return Case(*branches, default=_int(0), output_field=INT)


def _band_amount() -> Case:
    """The compensation of the row's band (base currency), from every plan's bands read
    once: a CASE per terms over ``amount_lcy``, highest lower bound first."""
    bands: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for terms_id, low, amount in CompensationBand.objects.order_by("terms", "-from_amount") \
            .values_list("terms_id", "from_amount", "amount"):  # fmt: skip
        bands.setdefault(terms_id, []).append((low, amount))
    branches = [
        When(Q(**{f"{TERMS}__id": terms_id}),
             then=Case(*[When(amount_lcy__gte=low, then=_int(int(amount * 100)))
                         for low, amount in rows], default=_int(0), output_field=INT))
        for terms_id, rows in bands.items()
    ]  # fmt: skip
    return Case(*branches, default=_int(0), output_field=INT)


def with_charges(entries: QuerySet, as_of: dt.date) -> QuerySet:
    """``entries`` annotated with their charges as of ``as_of`` (zero where none is due).

    An entry carries charges when it is an open invoice or debit memo, past its due date,
    with an undisputed remaining amount above zero, and is not itself a posted charge.
    The pieces are integers (cents, days, rate-days) and kept shallow: SQLite's parser
    has a limited depth."""
    last = (as_of - EPOCH).days
    posted_interest_to = (
        PostedCharge.objects.filter(entry=OuterRef("pk"), kind="interest")
        .order_by()
        .values("entry")
        .annotate(last=Max("period_to"))
        .values("last")
    )
    is_posted_charge = PostedCharge.objects.filter(
        company=OuterRef("company"), posted_ref=OuterRef("external_ref")
    ).exclude(posted_ref="")
    compensation_posted = PostedCharge.objects.filter(entry=OuterRef("pk"), kind="compensation")
    days = ExpressionWrapper(_int(last + 1) - F("ch_from_n"), INT)
    rate_days = Case(
        When(Q(**{f"{TERMS}__interest": "fixed"}), then=Units(F(f"{TERMS}__fixed_rate"), 4) * days),
        When(
            Q(**{f"{TERMS}__interest": "reference"}),
            then=_reference_rate_days(last) + Units(F(f"{TERMS}__margin"), 4) * days,
        ),
        default=_int(0),
        output_field=INT,
    )
    return (
        entries.alias(
            ch_dispute=FilteredRelation(
                "disputes", condition=Q(disputes__ended_on__isnull=True, disputes__amount__gt=0)
            )
        )
        .annotate(
            ch_undisputed_c=ExpressionWrapper(
                Units(F("remaining"), 2) - Coalesce(Units(F("ch_dispute__amount"), 2), _int(0)),
                INT,
            ),
            # The day after which interest runs: the due date, or the last day posted.
            ch_after=Greatest(F("due_date"), Coalesce(Subquery(posted_interest_to), F("due_date"))),
        )
        .annotate(ch_from_n=DayNumber(F("ch_after")) + 1)
        .annotate(
            ch_ok=Case(
                When(
                    Q(entry_type__in=DEBIT_TYPES, due_date__lt=as_of, ch_undisputed_c__gt=0)
                    & ~Q(remaining=0)
                    & ~Exists(is_posted_charge),
                    then=_int(1),
                ),
                default=_int(0),
            ),
        )
        .annotate(
            ch_days=Case(When(ch_ok=1, ch_from_n__lte=last, then=days), default=_int(0)),
            ch_interest_c=Case(
                When(
                    ch_ok=1,
                    ch_from_n__lte=last,
                    then=HalfUpDivide(F("ch_undisputed_c"), rate_days, 365 * 10**6),
                ),
                default=_int(0),
            ),
            ch_compensation_c=Case(
                When(
                    Q(ch_ok=1) & ~Exists(compensation_posted),
                    then=_band_amount(),
                ),
                default=_int(0),
            ),
        )
        .annotate(
            ch_undisputed=Money(F("ch_undisputed_c")),
            ch_interest=Money(F("ch_interest_c")),
            ch_compensation=Money(F("ch_compensation_c")),
            ch_interest_lcy_c=HalfUpDivide(F("ch_interest_c"), Units(F("exchange_rate"), 6), 10**6),
        )
        .annotate(
            ch_interest_lcy=Money(F("ch_interest_lcy_c")),
            ch_total_lcy=Money(F("ch_interest_lcy_c") + F("ch_compensation_c")),
        )
    )
