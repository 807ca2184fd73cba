"""The set-based SQL (``charges.queries``) agrees with the one Python definition
(``charges.rules`` through ``services.entry_charges``) on every entry, whatever the terms,
dates, disputes, part payments, currencies and posted charges: Hypothesis hunts for a
disagreement. Run on SQLite and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from charges.models import ChargeTerms, CompensationBand, PostedCharge, ReferenceRate
from charges.queries import with_charges
from charges.services import entry_charges
from communications.models import Dispute
from followups.plans import plan_for
from ledger.models import LedgerEntry
from ledger.services import to_lcy
from tests.factories import CompanyFactory, CustomerFactory, EntryFactory, UserFactory

START = dt.date(2023, 1, 1)
cents = st.integers(min_value=1, max_value=10**9).map(lambda c: D(c) / 100)
day = st.integers(min_value=0, max_value=4 * 365).map(lambda n: START + dt.timedelta(days=n))
rate4 = st.integers(min_value=0, max_value=250000).map(lambda n: D(n) / 10000)
entry_spec = st.fixed_dictionaries({
    "amount": cents,
    "paid_share": st.sampled_from([0, 0, 0.5, 0.999]),
    "disputed_share": st.sampled_from([0, 0, 0.3, 1]),
    "due": day,
    "rate": st.sampled_from([D("1"), D("1"), D("0.8"), D("1.173921"), D("145.5")]),
    "posted_to": st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    "compensation_posted": st.booleans(),
})  # fmt: skip
scenarios = st.fixed_dictionaries({
    "basis": st.sampled_from(["none", "fixed", "reference"]),
    "fixed_rate": rate4,
    "margin": rate4,
    "series": st.sampled_from(["GB-BOE", "DE-BASIS"]),
    "extra_rates": st.lists(st.tuples(day, st.integers(-20000, 80000).map(lambda n: D(n) / 10000)),
                            max_size=3),
    "bands": st.lists(st.tuples(cents, cents), max_size=3),
    "entries": st.lists(entry_spec, min_size=1, max_size=6),
    "as_of": day,
})  # fmt: skip

EXAMPLE = {
    "basis": "fixed", "fixed_rate": D("10"), "margin": D("0"), "series": "GB-BOE",
    "extra_rates": [], "bands": [], "as_of": dt.date(2026, 1, 16),
    "entries": [{"amount": D("100.00"), "paid_share": 0, "disputed_share": 0,
                 "due": dt.date(2026, 1, 1), "rate": D("1"), "posted_to": None,
                 "compensation_posted": False}],
}  # fmt: skip


def _build(sc):
    company = CompanyFactory(base_currency="GBP")
    user = UserFactory()
    plan = plan_for(company)
    terms = ChargeTerms.objects.create(
        plan=plan, interest=sc["basis"],
        fixed_rate=sc["fixed_rate"] if sc["basis"] == "fixed" else None,
        reference_series=sc["series"] if sc["basis"] == "reference" else "", margin=sc["margin"],
    )  # fmt: skip
    for valid_from, rate in sc["extra_rates"]:
        ReferenceRate.objects.update_or_create(series=sc["series"], valid_from=valid_from,
                                               defaults={"rate": rate})  # fmt: skip
    for low, amount in {low: amount for low, amount in sc["bands"]}.items():
        CompensationBand.objects.create(terms=terms, from_amount=low, amount=amount)
    customer = CustomerFactory(company=company, currency="GBP")
    entries = []
    for n, spec in enumerate(sc["entries"]):
        amount = spec["amount"]
        remaining = (amount * (1 - D(str(spec["paid_share"])))).quantize(D("0.01"))
        e = EntryFactory(
            customer=customer, amount=amount, remaining=remaining, currency="USD",
            exchange_rate=spec["rate"], amount_lcy=to_lcy(amount, spec["rate"]),
            remaining_lcy=to_lcy(remaining, spec["rate"]), document_date=spec["due"],
            due_date=spec["due"],
        )  # fmt: skip
        disputed = (remaining * D(str(spec["disputed_share"]))).quantize(D("0.01"))
        if disputed > 0:
            Dispute.objects.create(company=company, customer=customer, entry=e, amount=disputed,
                                   reason="r", owner=user, opened_on=spec["due"])  # fmt: skip
        if spec["posted_to"] is not None:
            last = spec["due"] + dt.timedelta(days=spec["posted_to"] + 1)
            PostedCharge.objects.create(
                company=company, customer=customer, entry=e, kind="interest",
                reference=f"INT-{e.pk}-x{n}", period_from=spec["due"] + dt.timedelta(days=1),
                period_to=last, currency="USD", amount=D("1"), amount_lcy=D("1"),
            )  # fmt: skip
        if spec["compensation_posted"]:
            PostedCharge.objects.create(company=company, customer=customer, entry=e,
                                        kind="compensation", reference=f"CMP-{e.pk}",
                                        currency="GBP", amount=D("1"), amount_lcy=D("1"))  # fmt: skip
        entries.append(e)
    return entries


def _check(sc) -> None:
    entries = _build(sc)
    as_of = sc["as_of"]
    rows = {
        r["pk"]: r
        for r in with_charges(
            LedgerEntry.objects.filter(pk__in=[e.pk for e in entries]), as_of
        ).values("pk", "ch_interest", "ch_interest_lcy", "ch_compensation")
    }
    for e in entries:
        e.refresh_from_db()
        expected = entry_charges(e, as_of)
        got = rows[e.pk]
        assert (got["ch_interest"], got["ch_interest_lcy"], got["ch_compensation"]) == (
            expected.interest, expected.interest_lcy, expected.compensation_lcy
        ), (e.pk, as_of, got, expected)  # fmt: skip


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])  # fmt: skip
@given(sc=scenarios)
@example(sc=EXAMPLE)
def test_sql_and_python_agree(db, sc):
    with transaction.atomic():
        _check(sc)
        transaction.set_rollback(True)
