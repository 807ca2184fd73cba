"""Kept balances equal the sums derived from the entries after every kind of write.

The writers of ``LedgerEntry`` amounts, found in the code (grep for ``remaining``,
``bulk_create``, ``bulk_update``, ``.update(`` and ``.delete(`` on entries):
``ledger.services.entry_create`` / ``entry_update`` / ``application_apply`` (pages and the
API), ``ledger.sync.sync_entries`` (``bulk_create`` + ``bulk_update``) and
``sync_applications`` (``bulk_update`` of both sides), the CSV import (through the sync),
``followups`` bulk ``QuerySet.update`` of levels and expected payment dates, the demo and
the bench generator (``bulk_create`` / ``COPY``), the admin (``save`` / ``delete``), and
any statement typed at the database. Each kind is a case below; the kept figures are
compared with the derived sums after it. The triggers are what keep them, so a writer
added later is covered too: the last cases write with raw SQL.

Run on SQLite by default and on PostgreSQL with ``DATABASE_URL`` set (two trigger sets).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import sync
from ledger.balances import DATED, balances_roll
from ledger.models import Application, Customer, CustomerBalance, EntryType, LedgerEntry
from ledger.services import application_apply, customer_create, entry_create, entry_update
from reports.aging import bucket_sums, open_entries_on
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def kept_company(company, other_company):
    """Both companies' kept figures as of their today (what the daily task does)."""
    balances_roll(company=company, as_of=company.today())
    balances_roll(company=other_company, as_of=other_company.today())
    return company


def derived(as_of: dt.date) -> dict[int, dict]:
    """Every customer's figures summed from the entries, by independent code: the
    ledger's subqueries and the aged report's buckets."""
    figures = {
        row.pop("pk"): {**row, **dict.fromkeys(DATED, Decimal("0.00")), "aged_entry_count": 0,
                        "overdue_lcy": row["overdue_lcy"]}
        for row in Customer.objects.with_derived_balances(as_of).values(
            "pk", "balance_lcy", "overdue_lcy", "open_entry_count"
        )
    }  # fmt: skip
    sums = bucket_sums(as_of)
    aged = (
        open_entries_on(as_of)
        .order_by()
        .values("customer_id")
        .annotate(**sums, aged_entry_count=Count("id"))
    )
    for row in aged:
        customer = figures[row.pop("customer_id")]
        row["aged_total"] = row.pop("total")
        customer.update(row)
    return figures


def kept() -> dict[int, dict]:
    columns = ["balance_lcy", "open_entry_count", *DATED]
    return {
        row.pop("customer_id"): row
        for row in CustomerBalance.objects.values("customer_id", *columns)
    }


def assert_kept_equals_derived(as_of: dt.date = TODAY) -> None:
    want, have = derived(as_of), kept()
    assert set(have) == set(want), "every customer has exactly one kept row"
    wrong = {
        pk: {k: (have[pk][k], v) for k, v in row.items() if have[pk][k] != v}
        for pk, row in want.items()
    }
    assert not {pk: diff for pk, diff in wrong.items() if diff}, "kept != derived (kept, derived)"


@pytest.fixture
def ledger(kept_company, customer, other_company):
    """A small ledger over both companies: overdue, not yet due, a part-paid invoice, an
    unapplied payment, a credit note, a foreign-currency invoice, a future-dated one."""
    cust = customer
    cust.external_ref = "CUST-1"
    cust.save()
    EntryFactory(customer=cust, amount=Decimal("600.00"), document_no="INV1",
                 external_ref="INV-1")  # due 31 Oct: 23 days overdue  # fmt: skip
    EntryFactory(customer=cust, amount=Decimal("300.00"), due_date=dt.date(2026, 12, 31))
    EntryFactory(customer=cust, amount=Decimal("250.00"), remaining=Decimal("75.00"),
                 document_date=dt.date(2026, 6, 1), due_date=dt.date(2026, 7, 1))  # fmt: skip
    EntryFactory(customer=cust, amount=Decimal("90.00"), document_date=dt.date(2026, 11, 30),
                 due_date=dt.date(2026, 12, 30))  # dated after today: not in the aged report  # fmt: skip
    payment(cust, "80.00", document_no="PAY1", external_ref="PAY-1")
    EntryFactory(customer=cust, entry_type=EntryType.CREDIT_NOTE, amount=Decimal("-40.00"),
                 document_no="CRN1", due_date=dt.date(2026, 10, 1))  # fmt: skip
    usd = CustomerFactory(company=kept_company, currency="USD", account_code="USD1")
    EntryFactory(customer=usd, currency="USD", exchange_rate=Decimal("0.791234"),
                 amount=Decimal("1234.56"), document_date=dt.date(2026, 8, 1))  # fmt: skip
    CustomerFactory(company=kept_company, account_code="EMPTY")  # no entries at all
    euro = CustomerFactory(company=other_company, account_code="EU1")
    EntryFactory(customer=euro, amount=Decimal("55.55"), document_date=dt.date(2026, 9, 1))
    assert_kept_equals_derived()
    return cust


def test_fixture_ledger_has_kept_figures_equal_to_the_derived_ones(ledger):
    row = CustomerBalance.objects.get(customer=ledger)
    # 600 + 300 + 75 + 90 - 80 - 40: credits lower the balance; overdue is debits only.
    assert (row.balance_lcy, row.overdue_lcy, row.open_entry_count) == (
        Decimal("945.00"), Decimal("675.00"), 6,
    )  # fmt: skip
    # The payment and the credit note age by their own dates (1 Oct: 53 days) and lower
    # their bucket; the invoice dated 30 Nov is not in today's aged figures yet.
    assert (row.days_1_30, row.days_31_60, row.days_over_90, row.aged_total) == (
        Decimal("600.00"), Decimal("-120.00"), Decimal("75.00"), Decimal("855.00"),
    )  # fmt: skip


# ---- Every kind of write -------------------------------------------------------------------


def _invoice(customer, **fields):
    return LedgerEntry.objects.filter(customer=customer, document_no="INV1").get(**fields)


def write_service_create(customer, user):
    entry_create(user=user, customer=customer, entry_type="invoice", document_no="NEW1",
                 document_date=dt.date(2026, 8, 1), amount=Decimal("410.10"))  # fmt: skip
    entry_create(user=user, customer=customer, entry_type="credit_note", document_no="NEWC",
                 document_date=dt.date(2026, 11, 1), amount=Decimal("-10.10"))  # fmt: skip


def write_service_update_amount(customer, user):
    entry_update(user=user, entry=_invoice(customer), amount=Decimal("650.00"),
                 remaining=Decimal("610.00"))  # fmt: skip


def write_service_update_due_date(customer, user):
    # From 1-30 days overdue to not yet due, and another one into 61-90.
    entry_update(user=user, entry=_invoice(customer), due_date=dt.date(2026, 12, 15))
    other = LedgerEntry.objects.get(customer=customer, due_date=dt.date(2026, 12, 31))
    entry_update(user=user, entry=other, document_date=dt.date(2026, 8, 1),
                 due_date=dt.date(2026, 9, 1))  # fmt: skip


def write_service_application(customer, user):
    cash = LedgerEntry.objects.get(customer=customer, document_no="PAY1")
    application_apply(user=user, credit_entry=cash, debit_entry=_invoice(customer),
                       amount=Decimal("80.00"))  # fmt: skip


def write_service_application_closes(customer, user):
    cash = payment(customer, "600.00", document_no="PAY2")
    application_apply(user=user, credit_entry=cash, debit_entry=_invoice(customer),
                      amount=Decimal("600.00"))  # fmt: skip


def write_api_entry_create_and_patch(customer, user):
    client = api_as(user)
    created = client.post("/api/v1/ledger-entries/", {
        "customer": customer.pk, "entry_type": "invoice", "document_no": "API1",
        "document_date": "2026-09-01", "amount": "240.00"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    patched = client.patch(f"/api/v1/ledger-entries/{created.json()['id']}/",
                           {"remaining": "40.00"}, format="json")  # fmt: skip
    assert patched.status_code == 200, patched.json()


def write_api_application(customer, user):
    cash = LedgerEntry.objects.get(customer=customer, document_no="PAY1")
    response = api_as(user).post("/api/v1/applications/", {
        "credit_entry": cash.pk, "debit_entry": _invoice(customer).pk, "amount": "30.00"},
        format="json")  # fmt: skip
    assert response.status_code == 201, response.json()


def write_sync_entries(customer, user):
    rows = [
        {"external_ref": f"S-{n}", "customer_ref": "CUST-1", "entry_type": "invoice",
         "document_no": f"S{n}", "document_date": "2026-07-01", "amount": f"{n}0.01"}
        for n in range(1, 30)
    ]  # fmt: skip
    rows.append({"external_ref": "INV-1", "customer_ref": "CUST-1", "entry_type": "invoice",
                 "document_no": "INV1", "document_date": "2026-10-01", "amount": "600.00",
                 "remaining": "123.45"})  # the accounting system lowered it  # fmt: skip
    result = sync.sync_entries(user=user, company=customer.company, rows=rows)
    assert (result.created, result.updated) == (29, 1), result


def write_sync_applications(customer, user):
    rows = [{"external_ref": "APP-1", "credit_ref": "PAY-1", "debit_ref": "INV-1",
             "amount": "50.00"}]  # fmt: skip
    result = sync.sync_applications(user=user, company=customer.company, rows=rows)
    assert result.created == 1, result


def write_csv_import(customer, user):
    client = _client(user)
    text = (
        "external_ref,customer_ref,entry_type,document_no,document_date,due_date,amount,remaining\n"
        "CSV-1,CUST-1,invoice,CSV1,2026-09-01,2026-09-15,333.33,300.00\n"
        "INV-1,CUST-1,invoice,INV1,2026-10-01,2026-10-31,600.00,0.00\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("ledger:csv-import"), {
        "company": customer.company.pk, "kind": "entries",
        "file": SimpleUploadedFile("e.csv", text.encode(), "text/csv")})  # fmt: skip
    assert response.status_code in (200, 302)
    assert LedgerEntry.objects.filter(document_no="CSV1").exists(), response.content[:2000]


def write_bulk_queryset_update(customer, user):
    # A bulk statement (as the follow-up engine and entry actions issue): many rows at once.
    LedgerEntry.objects.filter(customer=customer, entry_type="invoice").update(
        remaining=models_f("amount"), remaining_lcy=models_f("amount_lcy")
    )
    LedgerEntry.objects.filter(customer=customer).update(expected_payment_date=TODAY)


def write_delete_entries(customer, user):
    LedgerEntry.objects.filter(customer=customer, document_date=dt.date(2026, 11, 30)).delete()
    LedgerEntry.objects.filter(customer=customer, document_no="CRN1").delete()


def write_raw_sql(customer, user):
    other = CustomerFactory(company=customer.company, account_code="MOVED")
    with connection.cursor() as cursor:
        # An entry moved to another customer, and a due date moved, in one statement.
        cursor.execute(
            "UPDATE ledger_ledgerentry SET customer_id = %s, due_date = %s "
            "WHERE customer_id = %s AND document_no = %s",
            [other.pk, dt.date(2026, 10, 5), customer.pk, "INV1"],
        )
        cursor.execute(
            "UPDATE ledger_ledgerentry SET remaining = 0, remaining_lcy = 0 "
            "WHERE customer_id = %s AND entry_type = 'payment'", [customer.pk])  # fmt: skip


def write_new_customers(customer, user):
    customer_create(user=user, company=customer.company, account_code="SVC1", name="By service")
    Customer.objects.bulk_create([
        Customer(company=customer.company, account_code=f"B{n}", name=f"Bulk {n}", currency="GBP")
        for n in range(3)
    ])  # fmt: skip


def models_f(name):
    from django.db.models import F

    return F(name)


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


WRITES = [
    write_service_create, write_service_update_amount, write_service_update_due_date,
    write_service_application, write_service_application_closes,
    write_api_entry_create_and_patch, write_api_application, write_sync_entries,
    write_sync_applications, write_csv_import, write_bulk_queryset_update,
    write_delete_entries, write_raw_sql, write_new_customers,
]  # fmt: skip


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__[6:] for w in WRITES])
def test_kept_figures_equal_derived_after_write(write, ledger, manager, integrator):
    user = integrator if "sync" in write.__name__ or "api" in write.__name__ else manager
    write(ledger, user)
    assert_kept_equals_derived()


def test_a_write_that_fails_leaves_the_kept_figures_as_they_were(ledger, manager):
    before = kept()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - any refusal
        entry_update(user=manager, entry=_invoice(ledger), remaining=Decimal("700.00"))
    assert kept() == before
    assert_kept_equals_derived()


# ---- The date ------------------------------------------------------------------------------


def test_next_day_roll_moves_the_dated_figures_and_nothing_else(ledger, company):
    with time_machine.travel(NOW + dt.timedelta(days=9), tick=False):
        tomorrow = company.today()
        assert balances_roll(company=company, as_of=tomorrow)
        assert not balances_roll(company=company, as_of=tomorrow)  # already there
        want = derived(tomorrow)
        row = kept()[ledger.pk]
        # 9 days on, the invoice due 31 Dec is still not due, the 90.00 dated 30 Nov is in.
        assert row["aged_total"] == Decimal("945.00")
        for pk in Customer.objects.filter(company=company).values_list("pk", flat=True):
            assert kept()[pk] == {k: want[pk][k] for k in kept()[pk]}


def test_writes_after_a_roll_use_the_new_date(ledger, company, other_company, manager):
    later = TODAY + dt.timedelta(days=40)  # the 31 Dec invoice becomes overdue
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        balances_roll(company=company, as_of=later)
        balances_roll(company=other_company, as_of=later)
        entry_create(user=manager, customer=ledger, entry_type="invoice", document_no="LATE",
                     document_date=dt.date(2026, 11, 1), amount=Decimal("12.34"))  # fmt: skip
        assert_kept_equals_derived(later)


def test_page_asked_for_another_date_is_summed_on_the_fly(ledger, company):
    back = TODAY - dt.timedelta(days=30)
    row = Customer.objects.filter(pk=ledger.pk).with_balances(back).get()
    derived_row = Customer.objects.filter(pk=ledger.pk).with_derived_balances(back).get()
    assert row.overdue_lcy == derived_row.overdue_lcy == Decimal("75.00")
    assert row.overdue_lcy != CustomerBalance.objects.get(customer=ledger).overdue_lcy


def test_rebuild_command_repairs_figures_and_reports_what_it_fixed(ledger, company):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_customerbalance SET balance_lcy = 1, overdue_lcy = 2")
    from io import StringIO

    out = StringIO()
    call_command("rebuild_balances", stdout=out)
    assert "corrected" in out.getvalue()
    assert_kept_equals_derived()
    out = StringIO()
    call_command("rebuild_balances", "--check", stdout=out)
    assert "0 customers differ" in out.getvalue()


def test_check_reports_a_difference_without_repairing_it(ledger):
    from io import StringIO

    CustomerBalance.objects.filter(customer=ledger).update(balance_lcy=Decimal("1.00"))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("rebuild_balances", "--check", stdout=out)
    assert "1 customers differ" in out.getvalue()
    assert CustomerBalance.objects.get(customer=ledger).balance_lcy == Decimal("1.00")


# ---- Random sequences of writes (Hypothesis) --------------------------------------------


write_step = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["invoice", "debit_memo", "payment", "credit_note"]),
              st.integers(1, 90_000), st.integers(-120, 60), st.booleans()),
    st.tuples(st.just("apply"), st.integers(0, 50), st.integers(1, 10_000)),
    st.tuples(st.just("pay_off"), st.integers(0, 50)),
    st.tuples(st.just("due"), st.integers(0, 50), st.integers(-150, 60)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("roll"), st.integers(1, 40)),
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(write_step, min_size=1, max_size=12))
def test_random_writes_keep_the_figures_equal_to_the_derived_sums(kept_company, manager, steps):
    """Invariant: after any sequence of creates, applications, pay-offs, due-date moves,
    deletions and day rolls, every customer's kept figures equal the derived sums as of
    its company's kept date."""
    company = kept_company
    with transaction.atomic():
        customers = [CustomerFactory(company=company, account_code=f"H{n}") for n in range(3)]
        day = TODAY
        for step in steps:
            entries = list(LedgerEntry.objects.filter(company=company).order_by("pk"))
            kind = step[0]
            if kind == "create":
                _, entry_type, cents, due_in, usd = step
                amount = Decimal(cents) / 100
                if entry_type in ("payment", "credit_note"):
                    amount = -amount
                document_date = day + dt.timedelta(days=min(due_in, 0))
                entry_create(
                    user=manager, customer=customers[cents % 3], entry_type=entry_type,
                    document_no=f"H{len(entries)}-{cents}", document_date=document_date,
                    due_date=max(document_date, day + dt.timedelta(days=due_in)), amount=amount,
                    **({"currency": "USD", "exchange_rate": Decimal("1.2345")} if usd else {}),
                )  # fmt: skip
            elif kind == "apply" and entries:
                debit = entries[step[1] % len(entries)]
                credits = [e for e in entries if e.remaining < 0 and e.currency == debit.currency
                           and e.customer_id == debit.customer_id]  # fmt: skip
                if debit.is_debit and debit.remaining > 0 and credits:
                    amount = min(Decimal(step[2]) / 100, debit.remaining, -credits[0].remaining)
                    application_apply(user=manager, credit_entry=credits[0], debit_entry=debit,
                                      amount=amount, applied_on=day)  # fmt: skip
            elif kind == "pay_off" and entries:
                entry = entries[step[1] % len(entries)]
                entry_update(user=manager, entry=entry, remaining=Decimal("0.00"))
            elif kind == "due" and entries:
                entry = entries[step[1] % len(entries)]
                due = max(entry.document_date, day + dt.timedelta(days=step[2]))
                LedgerEntry.objects.filter(pk=entry.pk).update(due_date=due)
            elif kind == "delete" and entries:
                entry = entries[step[1] % len(entries)]
                if not Application.objects.filter(debit_entry=entry).exists() and not (
                    Application.objects.filter(credit_entry=entry).exists()
                ):
                    entry.delete()
            elif kind == "roll":
                day = day + dt.timedelta(days=step[1])
                balances_roll(company=company, as_of=day)
        want, have = derived(day), kept()
        for customer in customers:
            assert have[customer.pk] == {k: want[customer.pk][k] for k in have[customer.pk]}
        transaction.set_rollback(True)


# ---- The list and the card show the same figures -----------------------------------------


def test_customer_list_shows_the_figures_of_the_card(ledger, controller, company):
    client = _client(controller)
    listed = client.get(reverse("ledger:customer-list"), {"sort": "-balance"})
    assert listed.status_code == 200
    rows = {c.pk: c for c in listed.context["page"].object_list}
    for customer in Customer.objects.filter(company=company):
        card = client.get(reverse("ledger:customer-card", args=[customer.pk]))
        assert card.status_code == 200
        assert (rows[customer.pk].balance_lcy, rows[customer.pk].overdue_lcy) == (
            card.context["balance_lcy"], card.context["overdue_lcy"],
        ), customer.account_code  # fmt: skip
    html = listed.content.decode()
    assert "945.00" in html and "675.00" in html
    # Sorted by balance from the kept figures, largest first (the USD customer's 976.83).
    balances = [c.balance_lcy for c in rows.values()]
    assert balances == sorted(balances, reverse=True) and balances[0] == Decimal("976.83")


def test_the_schedule_rolls_each_company_at_its_own_midnight(ledger, company, other_company):
    """Beat's every-few-minutes task moves each company's kept date to its own today;
    the figures follow (23:30 UTC on 23 Nov is 00:30 on 24 Nov in Berlin)."""
    from followups.tasks import run_due_companies

    run_due_companies(now="2026-11-23T23:30:00+00:00")
    from ledger.balances import kept_dates

    assert kept_dates() == {company.pk: TODAY, other_company.pk: TODAY + dt.timedelta(days=1)}
    with time_machine.travel(dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC), tick=False):
        want = derived(TODAY + dt.timedelta(days=1))
        euro = Customer.objects.get(account_code="EU1")
        assert kept()[euro.pk] == {k: want[euro.pk][k] for k in kept()[euro.pk]}


@pytest.mark.parametrize("days_on", [0, 40], ids=["kept date is today", "kept date is stale"])
def test_list_sorted_by_overdue_follows_the_figures_of_its_day(ledger, manager, days_on):
    """Sorted by overdue, the order is the derived one on the day of the page: from the
    kept figures when they are as of today, summed on the fly when they are not (40 days
    on, before the daily roll, the invoices due 30 and 31 Dec are overdue too)."""
    with time_machine.travel(NOW + dt.timedelta(days=days_on), tick=False):
        today = TODAY + dt.timedelta(days=days_on)
        client = _client(manager)
        for sort in ("overdue", "-overdue"):
            listed = client.get(reverse("ledger:customer-list"), {"sort": sort})
            shown = [(c.pk, c.overdue_lcy) for c in listed.context["page"].object_list]
            want = derived(today)
            expected = sorted(
                ((pk, want[pk]["overdue_lcy"]) for pk, _ in shown),
                key=lambda row: (row[1], row[0]), reverse=sort.startswith("-"),
            )  # fmt: skip
            assert shown == expected
        assert dict(shown)[ledger.pk] == (Decimal("1065.00") if days_on else Decimal("675.00"))


def test_aged_receivables_from_kept_figures_equal_the_report_from_the_entries(ledger, manager):
    """Today the aged report pages and totals from the kept figures; the same report as
    of yesterday's date sums the entries. Both ways agree to the penny today."""
    from reports.aged import AgedReceivables
    from reports.base import ReportRun

    report = AgedReceivables()
    for sort in ("total", "-total", "days_1_30", "-not_due"):
        run = ReportRun(report, user=manager, data={"sort": sort})
        assert report.kept_answers(run)
        kept_rows = run.page().rows
        with_entries = [report.prepare_row(r, run) for r in report._page_by_entries(run, 0, 51)]
        assert [r["customer_id"] for r in kept_rows] == [r["customer_id"] for r in with_entries]
        assert kept_rows == with_entries[: len(kept_rows)]
    kept_totals = report.totals(run)
    entry_totals = report.entry_totals(run)
    assert kept_totals == entry_totals and kept_totals


def test_api_ordered_by_balance_pages_through_the_kept_figures(ledger, integrator, company):
    """``?ordering=-balance_lcy`` walks the kept figures; every customer comes once, in
    order, with its derived balance, across cursor pages."""
    client = api_as(integrator)
    want = derived(TODAY)
    seen, url = [], "/api/v1/customers/?ordering=-balance_lcy&page_size=2"
    while url:
        body = client.get(url).json()
        seen += [(row["id"], Decimal(row["balance_lcy"])) for row in body["results"]]
        url = body.get("next")
    mine = {pk for pk in Customer.objects.filter(company=company).values_list("pk", flat=True)}
    assert [pk for pk, _ in seen] and {pk for pk, _ in seen} == mine
    assert [b for _, b in seen] == sorted((b for _, b in seen), reverse=True)
    assert all(balance == want[pk]["balance_lcy"] for pk, balance in seen)


@pytest.mark.django_db(transaction=True)
def test_emptying_the_tables_leaves_no_kept_row_behind(company):
    """Deleting entries after their kept rows (as ``flush`` and a company's removal do)
    takes the figures down where a row is kept and never writes one back: a row written
    back would name a customer that is about to go, and the commit would fail."""
    customer = CustomerFactory(company=company)
    EntryFactory(customer=customer, amount=Decimal("120.00"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_customerbalance")
        cursor.execute("DELETE FROM ledger_ledgerentry")
    assert not CustomerBalance.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not Customer.objects.exists()
