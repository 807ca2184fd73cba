"""Past due invoices and Receipt promises: figures against hand-computed fixtures
(foreign currency, partial payments, credit notes), the CSV and the API agreeing with the
page, filters, access and query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import Promise, PromiseEntry
from creditcontrol import roles
from creditcontrol.csv_export import CsvLines
from ledger.models import EntryType
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory, user_in

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def as_written(cells: list) -> list[str]:
    """Cells as the one CSV writer writes them (it formats dates and moments)."""
    return next(csv.reader(io.StringIO(CsvLines().writerow(cells))))


@pytest.fixture
def ledger(company, other_company, controller):
    """Past due: B (USD, partly paid) and C (GBP, partly paid), a debit memo D; not past
    due: A (due in a week), P (paid), a credit note and a payment; another company's
    overdue invoice."""
    customer = CustomerFactory(company=company, account_code="BOLT", controller=controller)
    usd = CustomerFactory(company=company, account_code="YANK", currency="USD")
    EntryFactory(customer=customer, document_no="A", amount=D("1000.00"),
                 document_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 11, 30))  # fmt: skip
    b = EntryFactory(customer=usd, document_no="B", amount=D("200.00"), remaining=D("150.00"),
                     exchange_rate=D("0.8"), document_date=dt.date(2026, 10, 11),
                     due_date=dt.date(2026, 11, 10))  # fmt: skip
    c = EntryFactory(customer=customer, document_no="C", amount=D("500.00"),
                     remaining=D("300.00"), document_date=dt.date(2026, 7, 2),
                     due_date=dt.date(2026, 8, 1))  # fmt: skip
    EntryFactory(customer=customer, document_no="D", entry_type=EntryType.DEBIT_MEMO,
                 amount=D("25.50"), document_date=dt.date(2026, 9, 1),
                 due_date=dt.date(2026, 9, 22))  # fmt: skip
    EntryFactory(customer=customer, document_no="P", amount=D("80.00"), remaining=D("0.00"),
                 document_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 9, 15))  # fmt: skip
    EntryFactory(customer=customer, document_no="CN", entry_type=EntryType.CREDIT_NOTE,
                 amount=D("-60.00"), document_date=dt.date(2026, 9, 1),
                 due_date=dt.date(2026, 9, 1))  # fmt: skip
    EntryFactory(customer=CustomerFactory(company=other_company), document_no="X",
                 amount=D("999.00"), document_date=dt.date(2026, 1, 1),
                 due_date=dt.date(2026, 1, 31))  # fmt: skip
    return {"customer": customer, "usd": usd, "b": b, "c": c}


PAST_DUE = reverse("reports:past-due-invoices")


def test_past_due_lists_open_debits_past_their_due_date_oldest_first(client, ledger, manager):
    client.force_login(manager)
    response = client.get(PAST_DUE)
    rows = response.context["page"].rows
    assert [(r["document_no"], r["days_overdue"], r["remaining"], r["remaining_lcy"])
            for r in rows] == [
        ("C", 114, D("300.00"), D("300.00")),
        ("D", 62, D("25.50"), D("25.50")),
        ("B", 13, D("150.00"), D("120.00")),  # 150 USD at 0.8
    ]  # fmt: skip
    assert rows[2]["currency"] == "USD" and rows[2]["lcy"] == "GBP"
    totals = response.context["run"].totals()
    assert totals == [{"currency": "GBP", "remaining_lcy": D("445.50")}]
    # The total of every past-due entry is a scan of the ledger: the page asks for it in
    # a second request (htmx, on load) and shows the rows at once.
    page = response.content.decode()
    assert 'hx-trigger="load"' in page and "part=totals" in page
    assert "445.50" in client.get(PAST_DUE, {"part": "totals"}).content.decode()


def test_past_due_csv_and_api_agree_with_the_page(client, ledger, manager):
    client.force_login(manager)
    page = client.get(PAST_DUE, {"sort": "-remaining_lcy"})
    report = page.context["report"]
    lines = csv_rows(
        client.get(reverse("reports:past-due-invoices-csv"), {"sort": "-remaining_lcy"})
    )
    assert lines[0] == [c.label for c in report.columns]
    run = page.context["run"]
    expected = [
        as_written([c.text(c.get(r)) for c in report.columns]) for r in page.context["page"].rows
    ]
    assert lines[1:] == expected
    assert [line[4] for line in lines[1:]] == ["C", "B", "D"]
    body = (
        api_as(manager).get("/api/v1/reports/past-due-invoices/", {"sort": "-remaining_lcy"}).json()
    )
    assert [r["document_no"] for r in body["results"]] == ["C", "B", "D"]
    assert [r["remaining_lcy"] for r in body["results"]] == ["300.00", "120.00", "25.50"]
    assert [r["days_overdue"] for r in body["results"]] == [114, 13, 62]
    assert body["totals"] == [{"currency": "GBP", "remaining_lcy": "445.50"}]
    assert run.valid


@pytest.mark.parametrize(("params", "documents"), [
    ({"age": "days_1_30"}, ["B"]),
    ({"age": "days_61_90"}, ["D"]),
    ({"age": "days_over_90"}, ["C"]),
    ({"due_from": "2026-09-01", "due_to": "2026-11-10"}, ["D", "B"]),
    ({"currency": "usd"}, ["B"]),
    ({"q": "bolt"}, ["C", "D"]),
])  # fmt: skip
def test_past_due_filters(client, ledger, manager, params, documents):
    client.force_login(manager)
    rows = client.get(PAST_DUE, params).context["page"].rows
    assert [r["document_no"] for r in rows] == documents


def test_past_due_filters_by_controller_and_customer(client, ledger, manager, controller):
    client.force_login(manager)
    by_controller = client.get(PAST_DUE, {"controller": controller.pk}).context["page"].rows
    assert [r["document_no"] for r in by_controller] == ["C", "D"]
    assert by_controller[0]["controller_name"] == controller.username
    by_customer = client.get(PAST_DUE, {"customer": ledger["usd"].pk}).context["page"].rows
    assert [r["document_no"] for r in by_customer] == ["B"]


def test_past_due_refuses_another_companys_filter(client, ledger, manager, other_company):
    client.force_login(manager)
    response = client.get(PAST_DUE, {"company": other_company.pk})
    assert response.context["run"].errors and not response.context["page"].rows
    assert client.get(reverse("reports:past-due-invoices-csv"),
                      {"company": other_company.pk}).status_code == 400  # fmt: skip
    api = api_as(manager).get("/api/v1/reports/past-due-invoices/", {"company": other_company.pk})
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "company"


def test_outsider_sees_only_their_own_company(client, ledger, outsider):
    client.force_login(outsider)
    rows = client.get(PAST_DUE).context["page"].rows
    assert [r["document_no"] for r in rows] == ["X"]
    body = api_as(outsider).get("/api/v1/reports/past-due-invoices/").json()
    assert [r["document_no"] for r in body["results"]] == ["X"]


def test_integrator_reads_the_api_not_the_page(client, ledger, company):
    integrator = user_in(company, roles.INTEGRATOR)
    client.force_login(integrator)
    assert client.get(PAST_DUE).status_code == 403
    assert client.get(reverse("reports:past-due-invoices-csv")).status_code == 403
    assert api_as(integrator).get("/api/v1/reports/past-due-invoices/").status_code == 200
    assert api_as(integrator).post("/api/v1/reports/past-due-invoices/").status_code == 405


def test_past_due_query_count_does_not_grow_with_rows(client, ledger, manager, company,
                                                       django_assert_max_num_queries):  # fmt: skip
    client.force_login(manager)
    customer = CustomerFactory(company=company)
    for day in range(1, 29):
        EntryFactory(customer=customer, document_date=dt.date(2026, 5, day),
                     due_date=dt.date(2026, 6, day))  # fmt: skip
    with django_assert_max_num_queries(12):
        response = client.get(PAST_DUE)
    assert len(response.context["page"].rows) == 31


# --- Receipt promises --------------------------------------------------------------------

PROMISES = reverse("reports:receipt-promises")


def promise(customer, status, promised_on, amount, entries=(), amount_lcy=None, resolved_on=None):
    made = Promise.objects.create(
        company=customer.company, customer=customer, currency=customer.currency,
        amount=D(amount), amount_lcy=D(amount_lcy or amount), promised_on=promised_on,
        status=status, resolved_on=resolved_on,
    )  # fmt: skip
    for entry, remaining_then in entries:
        PromiseEntry.objects.create(
            promise=made, entry=entry, remaining_at_promise=D(remaining_then)
        )
    return made


@pytest.fixture
def promises(ledger, company):
    """Open: 150 USD on B (120.00 GBP), made when 200 were open: 50 paid since. Kept:
    200.00 on C, made when 500 were open: 200 paid. Broken: 25.50 on the debit memo.
    Cancelled: 10.00."""
    b, c, customer = ledger["b"], ledger["c"], ledger["customer"]
    return {
        "open": promise(
            ledger["usd"],
            "open",
            dt.date(2026, 11, 30),
            "150.00",
            [(b, "200.00")],
            amount_lcy="120.00",
        ),
        "kept": promise(
            customer,
            "kept",
            dt.date(2026, 10, 20),
            "200.00",
            [(c, "500.00")],
            resolved_on=dt.date(2026, 10, 15),
        ),
        "broken": promise(
            customer, "broken", dt.date(2026, 11, 16), "25.50", resolved_on=dt.date(2026, 11, 17)
        ),
        "cancelled": promise(
            customer, "cancelled", dt.date(2026, 11, 18), "10.00", resolved_on=dt.date(2026, 11, 2)
        ),
    }


def test_receipt_promises_with_amounts_paid_and_a_total_per_status(client, promises, manager):
    client.force_login(manager)
    response = client.get(PROMISES)
    rows = response.context["page"].rows
    assert [(r["status"], r["currency"], r["amount"], r["paid"], r["amount_lcy"]) for r in rows] == [
        ("kept", "GBP", D("200.00"), D("200.00"), D("200.00")),
        ("broken", "GBP", D("25.50"), D("0.00"), D("25.50")),
        ("cancelled", "GBP", D("10.00"), D("0.00"), D("10.00")),
        ("open", "USD", D("150.00"), D("50.00"), D("120.00")),
    ]  # fmt: skip
    assert response.context["run"].totals() == [{"currency": "GBP", "amount_lcy": D("355.50")}]
    per_status = {s["status"]: s["figures"] for s in response.context["per_status"]}
    assert per_status["open"] == [{"currency": "GBP", "count": 1, "amount_lcy": D("120.00")}]  # fmt: skip
    assert per_status["kept"][0]["count"] == 1 and per_status["broken"][0]["count"] == 1


@pytest.mark.parametrize(("params", "statuses"), [
    ({"status": "open"}, ["open"]),
    ({"status": "broken", "resolved_from": "2026-11-17"}, ["broken"]),
    ({"resolved_from": "2026-11-17"}, ["broken"]),
    ({"promised_from": "2026-11-16", "promised_to": "2026-11-18"}, ["broken", "cancelled"]),
])  # fmt: skip
def test_receipt_promise_filters(client, promises, manager, params, statuses):
    client.force_login(manager)
    rows = client.get(PROMISES, params).context["page"].rows
    assert [r["status"] for r in rows] == statuses


def test_receipt_promises_csv_and_api_agree_with_the_page(client, promises, manager):
    client.force_login(manager)
    page = client.get(PROMISES)
    report = page.context["report"]
    lines = csv_rows(client.get(reverse("reports:receipt-promises-csv")))
    assert lines[1:] == [
        as_written([c.text(c.get(r)) for c in report.columns]) for r in page.context["page"].rows
    ]
    body = api_as(manager).get("/api/v1/reports/receipt-promises/").json()
    assert [(r["status"], r["paid"], r["made_on"]) for r in body["results"]] == [
        ("Kept", "200.00", "2026-11-23"), ("Broken", "0.00", "2026-11-23"),
        ("Cancelled", "0.00", "2026-11-23"), ("Open", "50.00", "2026-11-23"),
    ]  # fmt: skip
    assert body["totals"] == [{"currency": "GBP", "amount_lcy": "355.50"}]


def test_receipt_promises_outsider_and_query_cap(client, promises, outsider, manager,
                                                 django_assert_max_num_queries):  # fmt: skip
    client.force_login(outsider)
    assert client.get(PROMISES).context["page"].rows == []
    client.force_login(manager)
    customer = promises["open"].customer
    for day in range(1, 25):
        promise(customer, "open", dt.date(2026, 12, day), "1.00")
    with django_assert_max_num_queries(12):
        assert len(client.get(PROMISES).context["page"].rows) == 28


@pytest.mark.parametrize("sort", ["due_date", "-due_date", "days", "-days"])
def test_past_due_pages_by_due_date_across_companies_match_one_sort(ledger, manager, other_company,
                                                                     sort):  # fmt: skip
    """Pages found through each company's due-date bound hold the rows a single sort of
    every row gives, in order, with ties on the due date across pages and companies."""
    from reports.activity import PastDueInvoices
    from reports.base import ReportRun

    other_company.members.add(manager)
    for n, due in enumerate([dt.date(2026, 1, 31), dt.date(2026, 8, 1), dt.date(2026, 8, 1),
                             dt.date(2026, 11, 10), dt.date(2026, 9, 22)]):  # fmt: skip
        customer = ledger["customer"] if n % 2 else CustomerFactory(company=other_company)
        EntryFactory(customer=customer, document_date=due - dt.timedelta(days=30), due_date=due)
    run = ReportRun(PastDueInvoices(), user=manager, data={"sort": sort})
    everything = [row["id"] for row in run.ordered_rows()]
    assert len(everything) == 9
    paged = []
    for number in range(1, 6):
        paged += [row["id"] for row in run.page(number, size=2).rows]
    assert paged == everything
