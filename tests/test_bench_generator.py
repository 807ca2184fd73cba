"""The benchmark generator's row builders, loaded small into the PostgreSQL test database.

The full generator (bench/generate.py) loads a million entries with COPY; here 50
customers and 500 entries go through the same builders and the same COPY, and every
check and unique constraint of the ledger must hold.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, F, Q

from bench import generate as gen
from creditcontrol import roles
from ledger.models import Company, Contact, Customer, LedgerEntry
from ledger.services import to_lcy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("The generator loads with PostgreSQL COPY.")


@pytest.fixture
def loaded(postgres):
    return gen.load(n_customers=50, n_entries=500, prefix="gentest", today=TODAY)


def test_counts(loaded):
    companies = Company.objects.filter(code__startswith="GENTEST-")
    assert sorted(companies.values_list("base_currency", flat=True)) == ["EUR", "GBP"]
    customers = Customer.objects.filter(company__in=companies)
    assert customers.count() == 50
    entries = LedgerEntry.objects.filter(company__in=companies)
    assert entries.count() == 500 == loaded.n_entries == sum(loaded.counts)
    assert entries.open().count() == 500
    assert Contact.objects.filter(customer__in=customers).count() == loaded.n_contacts > 50
    per_customer = dict(entries.values_list("customer").annotate(n=Count("id")))
    largest = max(per_customer, key=per_customer.get)
    assert largest == loaded.largest_customer_id
    assert per_customer[largest] == gen.default_largest(500) == 50
    # Both companies have customers, and the sequences are past the copied ids.
    assert set(customers.values_list("company__base_currency", flat=True)) == {"EUR", "GBP"}
    assert Customer.objects.create(
        company=companies.first(), account_code="NEW", name="New", currency="GBP"
    ).pk > max(c.id for c in loaded.customers)


def test_users_and_roles(loaded):
    from django.contrib.auth.models import User

    manager = User.objects.get(username="gentest_manager")
    assert roles.is_manager(manager) and roles.can_work_customers(manager)
    assert manager.companies.filter(code__startswith="GENTEST-").count() == 2
    integrator = User.objects.get(username="gentest_integrator")
    assert roles.roles_of(integrator) == {roles.INTEGRATOR}
    assert integrator.auth_token.key
    controllers = User.objects.filter(username__startswith="gentest_gbp_ctl")
    assert controllers.exists()
    assert all(roles.CONTROLLER in roles.roles_of(u) for u in controllers)


def test_constraints_hold(loaded):
    connection.check_constraints()  # the deferred foreign keys
    entries = LedgerEntry.objects.filter(company__code__startswith="GENTEST-")
    debit = Q(entry_type__in=["invoice", "debit_memo"])
    assert not entries.filter(debit, amount__lte=0).exists()
    assert not entries.filter(~debit, amount__gte=0).exists()
    assert not entries.filter(debit, Q(remaining__lt=0) | Q(remaining__gt=F("amount"))).exists()
    assert not entries.filter(~debit, Q(remaining__gt=0) | Q(remaining__lt=F("amount"))).exists()
    assert not entries.filter(due_date__lt=F("document_date")).exists()
    assert not entries.filter(exclude_forever=True, exclude_until__isnull=False).exists()
    assert entries.filter(~debit).exists(), "some payments and credit notes"
    assert entries.filter(remaining__lt=F("amount"), amount__gt=0).exists(), "some part-paid"
    for entry in entries:
        assert entry.amount_lcy == to_lcy(entry.amount, entry.exchange_rate)
        assert entry.remaining_lcy == to_lcy(entry.remaining, entry.exchange_rate)
        assert (entry.exchange_rate != 1) == (entry.currency != entry.company.base_currency)
        assert TODAY - dt.timedelta(days=366) <= entry.due_date <= TODAY + dt.timedelta(days=60)
    # What the application itself checks before saving (constraints and uniqueness).
    for entry in entries.order_by("?")[:5]:
        entry.full_clean()
    for customer in Customer.objects.filter(company__code__startswith="GENTEST-")[:5]:
        customer.full_clean()
    credit_contacts = (
        Contact.objects.filter(
            customer__company__code__startswith="GENTEST-", is_credit_contact=True
        )
        .values("customer")
        .annotate(n=Count("id"))
    )
    assert credit_contacts and all(row["n"] == 1 for row in credit_contacts)


def test_lcy_rounding_matches_the_service():
    rng = random.Random(5)
    cases = [(1, 500_000), (-1, 500_000), (3, 1_500_000), (-3, 1_500_000), (12345, 860_000)]
    cases += [(rng.randint(-(10**8), 10**8) or 1, rng.randint(1, 3_000_000)) for _ in range(2000)]
    for cents, micro in cases:
        expected = to_lcy(Decimal(cents) / 100, Decimal(micro) / 1_000_000)
        assert Decimal(gen.money(gen.lcy_cents(cents, micro))) == expected


@pytest.mark.parametrize(("customers", "entries"), [(1, 10), (50, 500), (1000, 20_000), (7, 0)])
def test_entry_counts_plan(customers, entries):
    counts = gen.plan_entry_counts(customers, entries, gen.default_largest(entries))
    assert len(counts) == customers
    assert sum(counts) == entries
    assert min(counts) >= 0
    assert counts[0] == max(counts)


def test_kept_balances_equal_the_loaded_entries(loaded):
    """The COPY of the entries went through the balance triggers, and the generator set
    each company's date: the kept figures are the derived ones (``rebuild_balances
    --check`` counts the customers that differ)."""
    from ledger.balances import balances_differences, kept_dates

    companies = Company.objects.filter(code__startswith="GENTEST-")
    assert set(kept_dates(companies.values_list("pk", flat=True))) == set(
        companies.values_list("pk", flat=True)
    )
    assert balances_differences(companies=companies) == 0
