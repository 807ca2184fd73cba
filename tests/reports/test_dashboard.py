"""The manager's dashboard: each figure against a hand-computed ledger, the reconstructed
overdue history against ``reports.aging``, the page's links, access and query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from communications.models import Dispute, Promise, ToDo
from creditcontrol import roles
from ledger.models import Application, EntryType, LedgerEntry
from reports.aging import remaining_as_of
from reports.dashboard import (
    dashboard_for,
    dso_countback,
    month_ends_before,
    overdue_trend,
)
from reports.views_dashboard import nice_ceiling, short_amount
from tests.factories import CustomerFactory, EntryFactory, user_in

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def apply(credit: LedgerEntry, debit: LedgerEntry, amount: str, on: dt.date) -> Application:
    """An application written as the ledger service leaves it (both remaining amounts lowered)."""
    from ledger.services import to_lcy

    value = D(amount)
    for entry, delta in ((debit, -value), (credit, value)):
        entry.remaining += delta
        entry.remaining_lcy = to_lcy(entry.remaining, entry.exchange_rate)
        entry.save()
    return Application.objects.create(company=debit.company, credit_entry=credit,
                                      debit_entry=debit, amount=value, applied_on=on)  # fmt: skip


@pytest.fixture
def ledger(company, other_company):
    """A GBP ledger (and an EUR company's entry that must never count):

    - A: 1,000.00 GBP invoice dated 31/10, due 30/11: not yet due.
    - B: 200.00 USD invoice at 0.8 (160.00 GBP) dated 11/10, due 10/11; 50 USD paid
      15/11: 150 USD = 120.00 GBP left, 13 days overdue.
    - C: 500.00 GBP invoice dated 02/07, due 01/08; 200.00 paid 15/10: 300.00 left,
      114 days overdue.
    - an open credit note of 100.00 and 50.00 of unapplied cash left from a payment.
    """
    customer = CustomerFactory(company=company)
    usd = CustomerFactory(company=company, currency="USD")
    a = EntryFactory(customer=customer, amount=D("1000.00"), document_date=dt.date(2026, 10, 31),
                     due_date=dt.date(2026, 11, 30))  # fmt: skip
    b = EntryFactory(customer=usd, amount=D("200.00"), exchange_rate=D("0.8"),
                     document_date=dt.date(2026, 10, 11), due_date=dt.date(2026, 11, 10))  # fmt: skip
    c = EntryFactory(customer=customer, amount=D("500.00"), document_date=dt.date(2026, 7, 2),
                     due_date=dt.date(2026, 8, 1))  # fmt: skip
    usd_cash = EntryFactory(customer=usd, entry_type=EntryType.PAYMENT, amount=D("-50.00"),
                            exchange_rate=D("0.8"), document_date=dt.date(2026, 11, 15),
                            due_date=dt.date(2026, 11, 15))  # fmt: skip
    cash = EntryFactory(customer=customer, entry_type=EntryType.PAYMENT, amount=D("-250.00"),
                        document_date=dt.date(2026, 10, 15), due_date=dt.date(2026, 10, 15))  # fmt: skip
    EntryFactory(customer=customer, entry_type=EntryType.CREDIT_NOTE, amount=D("-100.00"),
                 document_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 11, 1))  # fmt: skip
    apply(usd_cash, b, "50.00", dt.date(2026, 11, 15))
    apply(cash, c, "200.00", dt.date(2026, 10, 15))
    EntryFactory(customer=CustomerFactory(company=other_company), amount=D("9999.00"),
                 document_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 31))  # fmt: skip
    return {"a": a, "b": b, "c": c, "customer": customer, "usd": usd}


def test_overdue_total_and_share_of_the_ledger(ledger, company):
    board = dashboard_for(company)
    assert board.as_of == TODAY
    assert board.currency == "GBP"
    assert board.overdue == D("420.00")  # 120.00 (B) + 300.00 (C)
    assert board.ledger == D("1420.00")  # A + B + C still open
    assert board.credits == D("-150.00")  # credit note 100 + unapplied cash 50
    assert board.overdue_share == D("29.6")  # 420 / 1420


def test_aged_buckets_add_up_to_the_net_balance(ledger, company):
    buckets = {b.key: b.amount for b in dashboard_for(company).buckets}
    # Credits lower the bucket of their own due date (aged report rule): the credit note
    # (due 01/11, 22 days) in 1-30 with B; the cash left (due 15/10, 39 days) in 31-60.
    assert buckets == {
        "not_due": D("1000.00"),
        "days_1_30": D("20.00"),  # 120.00 - 100.00
        "days_31_60": D("-50.00"),
        "days_61_90": D("0.00"),
        "days_over_90": D("300.00"),
    }
    assert sum(buckets.values()) == D("1270.00") == dashboard_for(company).balance


def test_dso_walks_back_through_invoiced_sales(ledger, company):
    # Net balance 1,270.00. November to date (23 days): no sales. October: 1,160.00
    # (A + B) → 110.00 left, 54 days. September, August: nothing → 115 days. July: 500.00
    # covers the 110.00 left: 110/500 of 31 days = 6.82 → 121.8 days.
    dso = dashboard_for(company).dso
    assert dso.balance == D("1270.00")
    assert dso.days == D("121.8")
    assert dso.months_used == 5


def test_dso_is_zero_with_nothing_owed_and_open_ended_beyond_two_years(company):
    assert dso_countback(company, TODAY, D("0.00")).days == 0
    customer = CustomerFactory(company=company)
    EntryFactory(customer=customer, amount=D("10.00"), document_date=dt.date(2026, 11, 2),
                 due_date=dt.date(2026, 12, 2))  # fmt: skip
    # 10.00 of sales in two years cannot explain a balance of 1,000.00.
    dso = dso_countback(company, TODAY, D("1000.00"))
    assert dso.days is None
    assert dso.months_used == 24


def test_overdue_history_is_reconstructed_at_each_month_end(ledger, company):
    days = month_ends_before(TODAY)
    assert days[0] == dt.date(2025, 11, 30)
    assert days[-1] == dt.date(2026, 10, 31)
    trend = dict(overdue_trend(company, days))
    assert trend[dt.date(2026, 7, 31)] == D("0.00")  # C falls due on 01/08
    assert trend[dt.date(2026, 8, 31)] == D("500.00")  # C, nothing paid yet
    assert trend[dt.date(2026, 9, 30)] == D("500.00")
    assert trend[dt.date(2026, 10, 31)] == D("300.00")  # 200.00 paid on 15/10; B not due yet
    board = dashboard_for(company)
    assert board.trend[-1] == (TODAY, D("420.00"))
    assert len(board.trend) == 13


def test_a_paid_invoice_counts_as_open_before_its_payment(company):
    customer = CustomerFactory(company=company, currency="USD")
    invoice = EntryFactory(customer=customer, amount=D("100.01"), exchange_rate=D("1.2345"),
                           document_date=dt.date(2026, 6, 1), due_date=dt.date(2026, 7, 1))  # fmt: skip
    cash = EntryFactory(customer=customer, entry_type=EntryType.PAYMENT, amount=D("-100.01"),
                        exchange_rate=D("1.2345"), document_date=dt.date(2026, 9, 3),
                        due_date=dt.date(2026, 9, 3))  # fmt: skip
    apply(cash, invoice, "60.00", dt.date(2026, 8, 20))
    apply(cash, invoice, "40.01", dt.date(2026, 9, 3))
    trend = dict(overdue_trend(company, [dt.date(2026, 7, 31), dt.date(2026, 8, 31),
                                         dt.date(2026, 9, 30)]))  # fmt: skip
    assert trend == {
        dt.date(2026, 7, 31): D("123.46"),  # 100.01 * 1.2345 = 123.462345
        dt.date(2026, 8, 31): D("49.39"),  # 40.01 * 1.2345 = 49.392345
        dt.date(2026, 9, 30): D("0.00"),
    }


def test_overdue_history_agrees_with_the_aged_reports_remaining_as_of(ledger, company):
    """The one-statement history and ``reports.aging.remaining_as_of`` (one query a day)
    reconstruct the same overdue total on every day."""
    days = [*month_ends_before(TODAY), dt.date(2026, 10, 14), dt.date(2026, 11, 14), TODAY]
    trend = dict(overdue_trend(company, days))
    for day in days:
        entries = remaining_as_of(LedgerEntry.objects.filter(company=company).debits(), day)
        expected = sum((e.remaining_lcy_as_of for e in entries if e.due_date < day), D("0.00"))
        assert trend[day] == expected, day


def promise(customer, status, promised_on, amount, resolved_on=None):
    return Promise.objects.create(
        company=customer.company, customer=customer, currency=customer.currency, amount=D(amount),
        amount_lcy=D(amount), promised_on=promised_on, status=status, resolved_on=resolved_on,
    )  # fmt: skip


def test_promises_disputes_and_todos(ledger, company, controller):
    customer = ledger["customer"]
    promise(customer, "open", TODAY, "80.00")
    promise(customer, "open", TODAY + dt.timedelta(days=1), "999.00")
    promise(customer, "broken", dt.date(2026, 11, 16), "30.00", resolved_on=dt.date(2026, 11, 17))
    promise(customer, "broken", dt.date(2026, 11, 15), "999.00", resolved_on=dt.date(2026, 11, 16))
    promise(customer, "kept", dt.date(2026, 11, 20), "999.00", resolved_on=dt.date(2026, 11, 20))
    # 40.00 USD at 0.8 = 32.00 GBP; an ended dispute no longer counts.
    Dispute.objects.create(company=company, customer=ledger["usd"], entry=ledger["b"],
                           amount=D("40.00"), reason="Short delivery", owner=controller,
                           opened_on=dt.date(2026, 11, 1))  # fmt: skip
    Dispute.objects.create(company=company, customer=customer, entry=ledger["c"], amount=D("0"),
                           reason="Resolved", owner=controller, opened_on=dt.date(2026, 9, 1),
                           ended_on=dt.date(2026, 9, 5))  # fmt: skip
    for due, status in ((TODAY, "open"), (dt.date(2026, 11, 2), "open"),
                        (dt.date(2026, 11, 20), "open"), (dt.date(2026, 11, 2), "closed"),
                        (TODAY + dt.timedelta(days=1), "open")):  # fmt: skip
        ToDo.objects.create(company=company, customer=customer, description="Call", due_on=due,
                            owner=controller, status=status,
                            closed_at=NOW if status == "closed" else None)  # fmt: skip
    board = dashboard_for(company)
    assert (board.promises_due_today, board.promises_due_today_amount) == (1, D("80.00"))
    assert (board.promises_broken, board.promises_broken_amount) == (1, D("30.00"))
    assert board.broken_since == dt.date(2026, 11, 17)
    assert (board.disputes_open, board.disputed) == (1, D("32.00"))
    assert (board.todos_due_today, board.todos_overdue, board.todos_due) == (1, 2, 3)


def test_page_shows_the_figures_with_links_to_the_reports(client, ledger, company, manager,
                                                          django_assert_max_num_queries):  # fmt: skip
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "420.00" in html and "29.6%" in html and "121.8" in html
    assert f"{reverse('reports:past-due-invoices')}?company={company.pk}" in html
    assert (
        f"{reverse('reports:aged-receivables')}?company={company.pk}&amp;as_of=2026-11-23" in html
    )
    assert (
        f"{reverse('reports:aged-receivables-entries')}?company={company.pk}" in html
    )  # a bar's entries
    assert f"{reverse('reports:disputed-invoices')}?company={company.pk}" in html
    assert "status=broken&amp;resolved_from=2026-11-17" in html
    assert "<svg" in html and html.count("<circle") == 13


def test_query_count_does_not_grow_with_the_ledger(client, ledger, company, manager,
                                                   django_assert_num_queries):  # fmt: skip
    client.force_login(manager)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(reverse("reports:dashboard"))
    cache.clear()
    customer = CustomerFactory(company=company)
    for day in range(1, 28):
        EntryFactory(customer=customer, document_date=dt.date(2026, 11, day % 20 + 1),
                     due_date=dt.date(2026, 12, day))  # fmt: skip
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("reports:dashboard"))


def test_company_is_chosen_among_the_users_own(client, ledger, company, other_company, manager):
    other_company.members.add(manager)
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard"), {"company": other_company.pk})
    assert response.status_code == 200
    assert response.context["board"].currency == "EUR"
    assert response.context["board"].overdue == D("9999.00")


def test_outsider_gets_404_for_another_companys_dashboard(client, ledger, company, outsider):
    client.force_login(outsider)
    assert client.get(reverse("reports:dashboard"), {"company": company.pk}).status_code == 404
    own = client.get(reverse("reports:dashboard"))
    assert own.status_code == 200 and own.context["board"].company != company


def test_controller_reads_it_integrator_does_not(client, ledger, company, controller):
    client.force_login(controller)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    client.force_login(user_in(company, roles.INTEGRATOR))
    assert client.get(reverse("reports:dashboard")).status_code == 403
    client.logout()
    assert client.get(reverse("reports:dashboard")).status_code == 302


@pytest.mark.parametrize(("value", "top"), [("0", "1"), ("7", "10"), ("420", "500"),
                                            ("1270", "2000"), ("2100", "2500"), ("100", "100")])  # fmt: skip
def test_chart_axis_tops_are_round(value, top):
    assert nice_ceiling(D(value)) == D(top)


def test_axis_labels_are_short():
    assert [short_amount(D(v)) for v in ("0", "250", "40000", "1250000")] == [
        "0", "250", "40k", "1.25m",
    ]  # fmt: skip


def test_dso_walks_past_the_months_of_the_dashboards_scan(company):
    # Balance 300.00; the only sales are 600.00 in March 2026, eight months back: 23 days
    # of November, then October back to April (214 days), then half of March's 31 days.
    customer = CustomerFactory(company=company)
    EntryFactory(customer=customer, amount=D("600.00"), remaining=D("300.00"),
                 document_date=dt.date(2026, 3, 10), due_date=dt.date(2026, 4, 9))  # fmt: skip
    dso = dashboard_for(company).dso
    assert dso.days == D("252.5")  # 23 + 214 + 15.5
    assert dso.months_used == 9
    assert dso == dso_countback(company, TODAY, D("300.00"))


def test_ledger_figures_are_kept_five_minutes_and_the_rest_is_live(ledger, company, controller):
    first = dashboard_for(company)
    EntryFactory(customer=ledger["customer"], amount=D("80.00"), document_date=dt.date(2026, 9, 1),
                 due_date=dt.date(2026, 10, 1))  # fmt: skip
    promise(ledger["customer"], "open", TODAY, "5.00")
    again = dashboard_for(company)
    assert (again.overdue, again.computed_at) == (first.overdue, first.computed_at)
    assert again.promises_due_today == 1  # not cached
    with time_machine.travel(NOW + dt.timedelta(seconds=301), tick=False):
        later = dashboard_for(company)
    assert later.overdue == D("500.00")  # 420.00 + the new 80.00
    assert later.computed_at == NOW + dt.timedelta(seconds=301)
