"""Chase Debt and Disputed Invoice against hand-computed figures (ledger of
``ledger_fixture``, today 23 Nov 2026), with their CSV, API and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from communications.models import Dispute, Promise, PromiseEntry
from creditcontrol.dates import format_day
from reports.base import ReportRun
from reports.debt import ChaseDebt, DisputedInvoice
from tests.conftest import api_as
from tests.factories import CommunicationFactory, CustomerFactory, EntryFactory, UserFactory
from tests.reports.ledger_fixture import build_ledger

pytestmark = pytest.mark.django_db
D = Decimal
day = dt.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def promise(entry, amount, on, status="open", communication=None):
    made = Promise.objects.create(
        company=entry.company, customer=entry.customer, communication=communication,
        currency=entry.currency, amount=D(amount), amount_lcy=D(amount) * entry.exchange_rate,
        promised_on=on, status=status, resolved_on=None if status == "open" else on,
    )  # fmt: skip
    PromiseEntry.objects.create(promise=made, entry=entry, remaining_at_promise=entry.remaining)
    return made


@pytest.fixture
def chased(company, manager, controller):
    """A: two live calls (follow-ups 25 and 30 Nov), a completed one (24 Nov), an open
    promise of 120.00 by 28 Nov and a kept one. B: only a completed call. C: a live
    call without a follow-up date and nothing owed."""
    e = build_ledger(company, manager, controller=controller)

    def call(customer, **kw):
        return CommunicationFactory(customer=customer, our_contact=controller, **kw)

    call(e.a, follow_up_on=day(2026, 11, 30))
    e.live = call(e.a, follow_up_on=day(2026, 11, 25))
    call(e.a, follow_up_on=day(2026, 11, 24), completed_at=timezone.now())
    call(e.b, follow_up_on=day(2026, 11, 24), completed_at=timezone.now())
    e.c = CustomerFactory(company=company, account_code="C001", name="Cedar Cafe")
    call(e.c)
    promise(e.a3, "120.00", day(2026, 11, 28))
    promise(e.a1, "100.00", day(2026, 11, 20), status="kept")
    return e


def chase_rows(user, **data):
    run = ReportRun(ChaseDebt(), user=user, data={k: str(v) for k, v in data.items()})
    return run, {row["account_code"]: row for row in run.page().rows}


def test_chase_debt_figures(manager, controller, chased):
    run, rows = chase_rows(manager)
    assert list(rows) == ["A001", "C001"]  # follow-up first; none last; B has no live call
    a = rows["A001"]
    assert a["follow_up_on"] == day(2026, 11, 25)  # the completed call's 24 Nov no longer counts
    assert a["live_communications"] == 2
    assert (a["balance_lcy"], a["overdue_lcy"]) == (D("150.00"), D("230.00"))  # A2 150 + A3 80
    assert (a["promised_lcy"], a["promised_on"]) == (D("120.00"), day(2026, 11, 28))
    assert a["controller_name"] == controller.get_username()
    c = rows["C001"]
    assert (c["follow_up_on"], c["balance_lcy"], c["promised_on"]) == (None, D("0.00"), None)
    [total] = run.totals()
    assert total == {"currency": "GBP", "balance_lcy": D("150.00"), "overdue_lcy": D("230.00"),
                     "promised_lcy": D("120.00"), "live_communications": 3}  # fmt: skip


def test_completed_communication_leaves_chase_debt(manager, chased):
    chased.a.communications.update(completed_at=timezone.now())
    _run, rows = chase_rows(manager)
    assert list(rows) == ["C001"]


def test_promise_on_a_completed_communication_no_longer_counts(manager, chased):
    done = CommunicationFactory(customer=chased.a, completed_at=timezone.now())
    promise(chased.a2, "50.00", day(2026, 11, 26), communication=done)
    _run, rows = chase_rows(manager)
    assert rows["A001"]["promised_lcy"] == D("120.00")


def test_chase_debt_filters(manager, controller, chased):
    assert list(chase_rows(manager, controller=controller.pk)[1]) == ["A001"]
    assert list(chase_rows(manager, follow_up_to="2026-11-25")[1]) == ["A001"]
    assert list(chase_rows(manager, follow_up_to="2026-11-24")[1]) == []
    assert list(chase_rows(manager, q="ced")[1]) == ["C001"]
    assert list(chase_rows(manager, sort="-balance")[1]) == ["A001", "C001"]


def test_chase_debt_page_csv_api_and_pdf_agree(client, manager, chased):
    client.force_login(manager)
    page = client.get(reverse("reports:chase-debt")).content.decode()
    assert "Alder Joinery Ltd" in page and "25 Nov 2026" in page and "Birke" not in page
    body = b"".join(client.get(reverse("reports:chase-debt-csv")).streaming_content)
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    # The CSV writes dates in the company's convention (creditcontrol/csv_export.py); the
    # API keeps ISO 8601.
    assert lines[1] == ["A001", "Alder Joinery Ltd", "carol", "25 Nov 2026", "2", "150.00",
                        "230.00", "120.00", "28 Nov 2026", "GBP"]  # fmt: skip
    api = api_as(manager).get("/api/v1/reports/chase-debt/").json()
    first = api["results"][0]
    assert [first[k] for k in ("account_code", "follow_up_on", "live_communications",
            "balance_lcy", "overdue_lcy", "promised_lcy", "promised_on")] == [
        "A001", "2026-11-25", 2, "150.00", "230.00", "120.00", "2026-11-28"]  # fmt: skip
    assert api["totals"][0]["balance_lcy"] == "150.00"
    pdf = client.get(reverse("reports:chase-debt-pdf"), {"q": "ald"})
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("Chase Debt", "Acme Trading Ltd", "Customer code or name: ald",
                     "Alder Joinery Ltd", "150.00", "Page 1 of 1"):  # fmt: skip
        assert expected in text, expected


def test_chase_debt_query_count_does_not_grow(client, manager, company, controller,
                                              django_assert_max_num_queries):  # fmt: skip
    client.force_login(manager)
    for _ in range(45):
        customer = CustomerFactory(company=company, controller=controller)
        EntryFactory(customer=customer)
        CommunicationFactory(customer=customer, our_contact=controller,
                             follow_up_on=day(2026, 11, 24))  # fmt: skip
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:chase-debt")).status_code == 200
    with django_assert_max_num_queries(10):
        client.get(reverse("reports:chase-debt"), {"sort": "-overdue", "page": "1"})


# --- Disputed Invoice ------------------------------------------------------------------


@pytest.fixture
def disputes(company, manager, controller):
    e = build_ledger(company, manager, controller=controller)
    e.open_b = Dispute.objects.create(company=company, customer=e.b, entry=e.b1,
                                      amount=D("100.00"), reason="Short delivery",
                                      owner=controller, opened_on=day(2026, 11, 3))  # fmt: skip
    e.open_a = Dispute.objects.create(company=company, customer=e.a, entry=e.a2,
                                      amount=D("150.00"), reason="Wrong price", owner=manager,
                                      opened_on=day(2026, 11, 20))  # fmt: skip
    Dispute.objects.create(company=company, customer=e.a, entry=e.a3, amount=D("0"),
                           reason="Settled", owner=manager, opened_on=day(2026, 10, 1),
                           ended_on=day(2026, 10, 5))  # fmt: skip
    return e


def test_disputed_invoice_figures(manager, controller, disputes):
    run = ReportRun(DisputedInvoice(), user=manager, data={})
    rows = run.page().rows
    assert [r["document_no"] for r in rows] == ["INV-B1", "INV-A2"]  # longest in dispute first
    b1 = rows[0]
    assert (b1["currency"], b1["entry_amount"], b1["remaining"], b1["disputed"]) == (
        "EUR", D("1000.00"), D("600.00"), D("100.00"))  # fmt: skip
    assert b1["disputed_lcy"] == D("86.00")  # 100 EUR x 0.86
    assert (b1["days_in_dispute"], b1["owner_name"], b1["reason"]) == (
        20, controller.get_username(), "Short delivery")  # fmt: skip
    assert rows[1]["days_in_dispute"] == 3
    [total] = run.totals()
    assert (total["currency"], total["disputed_lcy"]) == ("GBP", D("236.00"))


def test_disputed_invoice_filters_and_api(manager, controller, disputes):
    api = api_as(manager)
    owned = api.get("/api/v1/reports/disputed-invoices/", {"owner": controller.pk}).json()
    assert [r["document_no"] for r in owned["results"]] == ["INV-B1"]
    recent = api.get("/api/v1/reports/disputed-invoices/", {"opened_from": "2026-11-10"}).json()
    assert [r["document_no"] for r in recent["results"]] == ["INV-A2"]
    assert recent["totals"] == [{"currency": "GBP", "disputed_lcy": "150.00"}]
    sorted_ = api.get("/api/v1/reports/disputed-invoices/", {"sort": "-disputed"}).json()
    assert [r["disputed_lcy"] for r in sorted_["results"]] == ["150.00", "86.00"]


def test_disputed_invoice_csv_matches_api_and_pdf(client, manager, disputes):
    client.force_login(manager)
    body = b"".join(client.get(reverse("reports:disputed-invoices-csv")).streaming_content)
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    api = api_as(manager).get("/api/v1/reports/disputed-invoices/").json()["results"]
    dates = {c.key for c in DisputedInvoice.columns if c.kind == "date"}
    keys = [c.key for c in DisputedInvoice.columns]

    def as_csv(key, value):  # the API's ISO dates as the CSV writes them (the convention)
        if value is None:
            return ""
        if key in dates:
            return format_day(dt.date.fromisoformat(value))
        return value if isinstance(value, str) else str(value)

    for line, row in zip(lines[1:], api, strict=True):
        assert line == [as_csv(k, row[k]) for k in keys]
    pdf = client.get(reverse("reports:disputed-invoices-pdf"))
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    for expected in (
        "Disputed Invoice",
        "Printed 23 Nov 2026 12:00 (GMT)",
        "INV-B1",
        "Short delivery",
        "86.00",
        "236.00",
    ):
        assert expected in text, expected


def test_pagination_by_offset_without_count(manager, company, controller):
    for n in range(55):
        customer = CustomerFactory(company=company, account_code=f"P{n:03d}")
        CommunicationFactory(customer=customer, our_contact=controller)
    run = ReportRun(ChaseDebt(), user=manager, data={"sort": "account_code"})
    first, second = run.page(1), run.page(2)
    assert (len(first.rows), first.has_next, second.has_previous) == (50, True, True)
    assert [r["account_code"] for r in second.rows] == [f"P{n:03d}" for n in range(50, 55)]
    assert not second.has_next and (second.start_index, second.end_index) == (51, 55)


@pytest.mark.parametrize("name", ["chase-debt", "disputed-invoices", "aged-receivables"])
def test_access_rules(client, company, controller, name):
    url = reverse(f"reports:{name}")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory(companies=[company]))  # no role
    assert client.get(url).status_code == 403
    assert client.get(reverse(f"reports:{name}-csv")).status_code == 403
    assert api_as(UserFactory()).get(f"/api/v1/reports/{name}/").status_code == 403
    client.force_login(controller)
    assert client.get(url).status_code == 200


def test_outsider_sees_no_chase_debt_or_dispute(outsider, disputes, chased=None):
    run = ReportRun(DisputedInvoice(), user=outsider, data={})
    assert run.page().rows == [] and run.totals() == []
    _run, rows = chase_rows(outsider)
    assert rows == {}
