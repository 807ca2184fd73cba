"""``manage.py seed_demo``: the demo data a newcomer logs in to, built once, consistent throughout
(the ledger from ``ledger.demo``, the workbench on it from ``communications.demo``).

Building the data takes a second or two, so one build serves the read-only tests of
this module (committed before them, deleted after them); the tests that build again
do so inside their own rolled-back transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from rest_framework.authtoken.models import Token

from creditcontrol import roles
from ledger import demo
from ledger.models import Application, Company, Contact, Customer, EntryType, LedgerEntry
from ledger.services import to_lcy

FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def seed(*args: str) -> str:
    out = StringIO()
    with FAST_HASHER:
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The output of one seed_demo run; the data stays until the module's tests are done."""
    with django_db_blocker.unblock():
        output = seed()
        yield output
        demo.demo_purge()
        User.objects.filter(username__in=[u.username for u in demo.USERS]).delete()


@pytest.fixture
def data(seeded, db):
    return seeded


def test_builds_the_two_demo_companies(data):
    companies = {c.code: c for c in Company.objects.all()}
    assert set(companies) == {"NORTHWIND", "RHEINLAND"}
    assert companies["NORTHWIND"].name == "Northwind Supplies Ltd"
    assert (companies["NORTHWIND"].base_currency, companies["NORTHWIND"].time_zone) == (
        "GBP",
        "Europe/London",
    )
    assert companies["RHEINLAND"].name == "Rheinland Handel GmbH"
    assert (companies["RHEINLAND"].base_currency, companies["RHEINLAND"].time_zone) == (
        "EUR",
        "Europe/Berlin",
    )


def test_builds_about_200_customers_with_varied_accounts(data):
    customers = list(Customer.objects.all())
    assert 180 <= len(customers) <= 220
    assert len({(c.company_id, c.account_code) for c in customers}) == len(customers)
    assert all(c.name and c.address_line1 and c.city and c.postcode for c in customers)
    assert all(c.credit_limit > 0 for c in customers)
    assert set(Counter(c.debtor_rating for c in customers)) == {"good", "normal", "bad"}
    assert 1 <= sum(c.on_hold for c in customers) <= 10
    assert 1 <= sum(c.exclude_from_followups for c in customers) <= 5
    assert {c.payment_terms_days for c in customers} == {30, 45, 60}
    controllers = {c.controller.username for c in customers if c.controller}
    assert controllers == {"carol", "colin"}


def test_every_customer_has_one_to_three_contacts_one_of_them_for_credit_control(data):
    contacts = defaultdict(list)
    for contact in Contact.objects.all():
        contacts[contact.customer_id].append(contact)
    assert set(contacts) == set(Customer.objects.values_list("id", flat=True))
    for people in contacts.values():
        assert 1 <= len(people) <= 3
        (credit_contact,) = [p for p in people if p.is_credit_contact]
        assert credit_contact.first_name and credit_contact.last_name
        assert credit_contact.email and credit_contact.phone


def test_builds_about_3000_entries_of_every_type(data):
    assert 2500 <= LedgerEntry.objects.count() <= 3500
    types = Counter(LedgerEntry.objects.values_list("entry_type", flat=True))
    assert types[EntryType.INVOICE] > types[EntryType.PAYMENT] > types[EntryType.CREDIT_NOTE] > 0
    assert Application.objects.count() > 1000


def test_invoices_span_the_last_six_months_of_each_company(data):
    for company in Company.objects.all():
        today = company.today()
        dates = company.entries.filter(entry_type=EntryType.INVOICE).values_list(
            "document_date", flat=True
        )
        assert min(dates) >= today - dt.timedelta(days=186)
        assert min(dates) <= today - dt.timedelta(days=150)
        assert max(dates) <= today
    terms = {
        (e.due_date - e.document_date).days
        for e in LedgerEntry.objects.filter(entry_type=EntryType.INVOICE)
    }
    assert terms == {30, 45, 60}


def test_remaining_amounts_equal_the_amount_less_the_applications(data):
    received, given = defaultdict(Decimal), defaultdict(Decimal)
    for application in Application.objects.all():
        assert application.amount > 0
        received[application.debit_entry_id] += application.amount
        given[application.credit_entry_id] += application.amount
    for entry in LedgerEntry.objects.all():
        if entry.entry_type in (EntryType.INVOICE, EntryType.DEBIT_MEMO):
            assert entry.amount > 0
            assert entry.remaining == entry.amount - received[entry.pk], entry.document_no
        else:
            assert entry.amount < 0
            assert entry.remaining == entry.amount + given[entry.pk], entry.document_no
        assert entry.amount_lcy == to_lcy(entry.amount, entry.exchange_rate)
        assert entry.remaining_lcy == to_lcy(entry.remaining, entry.exchange_rate)


def test_applications_join_entries_of_one_customer_and_currency(data):
    for application in Application.objects.select_related("credit_entry", "debit_entry"):
        credit, debit = application.credit_entry, application.debit_entry
        assert credit.customer_id == debit.customer_id
        assert credit.currency == debit.currency
        assert application.applied_on >= debit.document_date


def test_ledger_has_part_payments_unapplied_cash_and_open_and_applied_credit_notes(data):
    invoices = LedgerEntry.objects.filter(entry_type=EntryType.INVOICE)
    assert invoices.filter(remaining=0).exists()
    part_paid = [e for e in invoices.exclude(remaining=0) if e.remaining != e.amount]
    assert len(part_paid) >= 20
    payments = LedgerEntry.objects.filter(entry_type=EntryType.PAYMENT)
    assert payments.exclude(remaining=0).count() >= 10
    notes = LedgerEntry.objects.filter(entry_type=EntryType.CREDIT_NOTE)
    assert notes.filter(remaining=0).exists() and notes.exclude(remaining=0).exists()


def test_gbp_company_has_a_few_usd_and_eur_invoices_at_their_exchange_rates(data):
    foreign = LedgerEntry.objects.filter(
        company__code="NORTHWIND", entry_type=EntryType.INVOICE
    ).exclude(currency="GBP")
    assert {e.currency for e in foreign} == {"USD", "EUR"}
    assert 10 <= len(foreign) <= 200
    assert all(Decimal("0.7") < e.exchange_rate < Decimal("0.9") for e in foreign)
    home = LedgerEntry.objects.filter(company__code="NORTHWIND", currency="GBP")
    assert all(e.exchange_rate == 1 for e in home)


def test_one_user_per_role_member_of_both_companies(data):
    companies = set(Company.objects.values_list("pk", flat=True))
    expected = {
        "carol": roles.CONTROLLER,
        "colin": roles.CONTROLLER,
        "mike": roles.MANAGER,
        "ada": roles.ADMINISTRATOR,
        "ivan": roles.INTEGRATOR,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert set(user.companies.values_list("pk", flat=True)) == companies
        with FAST_HASHER:
            assert user.check_password(demo.DEMO_PASSWORD)


def test_prints_the_logins_and_the_integrators_token(data):
    token = Token.objects.get(user__username="ivan")
    assert demo.DEMO_PASSWORD in data
    for username in ("carol", "colin", "mike", "ada", "ivan"):
        assert username in data
    assert token.key in data


def test_a_second_run_changes_nothing_and_says_so(data):
    before = (Customer.objects.count(), LedgerEntry.objects.count(), Application.objects.count())
    output = seed()
    assert "already" in output
    assert "--reset" in output
    after = (Customer.objects.count(), LedgerEntry.objects.count(), Application.objects.count())
    assert after == before


def test_reset_rebuilds_the_same_data_and_keeps_the_token(data):
    documents = set(LedgerEntry.objects.values_list("document_no", "amount", "remaining"))
    workbench = _workbench_fingerprint()
    token = Token.objects.get(user__username="ivan").key
    User.objects.filter(username="mike").update(first_name="Changed")
    output = seed("--reset")
    assert "Demo data built" in output
    assert set(LedgerEntry.objects.values_list("document_no", "amount", "remaining")) == documents
    assert _workbench_fingerprint() == workbench
    assert Company.objects.count() == 2
    assert Token.objects.get(user__username="ivan").key == token
    assert User.objects.get(username="mike").first_name == "Mike"


def test_reset_leaves_other_companies_alone(data):
    other = Company.objects.create(code="OTHER", name="Other Ltd", base_currency="GBP")
    customer = Customer.objects.create(company=other, account_code="X1", name="X", currency="GBP")
    seed("--reset")
    assert Customer.objects.filter(pk=customer.pk).exists()


# --- the workbench on the demo ledger --------------------------------------------------


def _workbench_fingerprint() -> tuple:
    from communications.models import Communication, Dispute, Promise, ToDo

    return (
        # Follow-up executions are stamped with the moment of seeding: left out.
        sorted(Communication.objects.exclude(source="demo-followups").values_list(
            "customer__account_code", "subject", "occurred_at", "completed_at", "balance_lcy")),
        sorted(Promise.objects.values_list("customer__account_code", "amount", "promised_on",
                                           "status")),
        sorted(Dispute.objects.values_list("entry__document_no", "amount", "reason")),
        sorted(ToDo.objects.values_list("customer__account_code", "description", "due_on",
                                        "status")),
    )  # fmt: skip


def test_prints_what_the_workbench_holds_per_company(data):
    assert data.count("workbench:") == 2
    assert "communications" in data and "broken yesterday" in data


def test_about_a_third_of_the_customers_have_communications_some_completed(data):
    from communications.models import Communication

    for company in Company.objects.all():
        customers = company.customers.count()
        communications = Communication.objects.filter(company=company)
        worked = communications.values("customer").distinct().count()
        assert customers // 5 <= worked <= customers // 2
        assert 1.5 <= communications.count() / worked <= 3
        assert communications.live().exists() and communications.completed().exists()
        assert set(communications.values_list("communication_type", flat=True)) == {
            "telephone", "correspondence", "meeting",
        }  # fmt: skip
        assert communications.filter(follow_up_on__gte=company.today()).exists()


def test_workbench_records_keep_the_rules(data):
    from communications.models import CONTACT_TYPES_BY_TYPE, Communication, Dispute, Promise

    for c in Communication.objects.select_related("contact"):
        assert c.contact_type in CONTACT_TYPES_BY_TYPE[c.communication_type]
        assert c.contact is None or c.contact.customer_id == c.customer_id
        assert c.completed_at is None or c.completed_at >= c.occurred_at
    for dispute in Dispute.objects.select_related("entry"):
        assert 0 < dispute.amount <= dispute.entry.remaining
        assert dispute.reason
    for promise in Promise.objects.prefetch_related("entries"):
        assert {e.customer_id for e in promise.entries.all()} == {promise.customer_id}
        assert promise.amount <= sum(line.remaining_at_promise for line in promise.lines.all())


def test_carol_has_todos_due_today_and_a_broken_promise_on_her_work_list(data):
    from communications.models import Promise, ToDo

    carol = User.objects.get(username="carol")
    for company in Company.objects.all():
        mine = ToDo.objects.filter(company=company, owner=carol).open()
        assert mine.filter(due_on=company.today()).count() >= 3
        assert mine.filter(kind="promise_broken").exists()
        broken = Promise.objects.filter(company=company, status="broken")
        assert broken.exists()
        assert all(p.promised_on == company.today() - dt.timedelta(days=1) for p in broken)
        assert Promise.objects.filter(company=company, status="open",
                                      promised_on=company.today()).exists()  # fmt: skip


def test_workbench_has_disputes_status_codes_call_actions_and_an_alert(data):
    from communications.models import CallAction, Dispute, EntryStatus, Notification

    for company in Company.objects.all():
        assert Dispute.objects.filter(company=company).open().count() >= 3
        codes = set(EntryStatus.objects.filter(company=company)
                    .values_list("status_code__code", flat=True))  # fmt: skip
        assert len(codes) >= 2
        kinds = set(CallAction.objects.filter(company=company)
                    .values_list("action_type__behaviour", flat=True))  # fmt: skip
        assert {"alert", "credit_memo", "dispute", "record"} <= kinds
        (alert,) = Notification.objects.filter(company=company)
        assert alert.user.username == "mike"
