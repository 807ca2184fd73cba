"""Aged receivables today and back-dated, its drill-down, CSV, API and PDF, against the
hand-computed ledger of ``ledger_fixture``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse
from pypdf import PdfReader

from creditcontrol import roles
from ledger.models import LedgerEntry
from reports.aged import AgedEntries, AgedReceivables
from reports.base import ReportRun
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory, user_in
from tests.reports.ledger_fixture import build_ledger

pytestmark = pytest.mark.django_db
D = Decimal
BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def ledger(company, manager, controller):
    return build_ledger(company, manager, controller=controller)


def run(user, report=AgedReceivables, **data):
    return ReportRun(report(), user=user, data={k: str(v) for k, v in data.items()})


def figures(row):
    return tuple(row[key] for key in BUCKETS)


def by_account(run_):
    return {row["account_code"]: figures(row) for row in run_.page().rows}


def test_aged_today_per_customer_and_total(manager, ledger):
    report = run(manager)
    assert by_account(report) == {
        "A001": (D("100.00"), D("0.00"), D("0.00"), D("-30.00"), D("80.00"), D("150.00")),
        "B001": (D("286.66"), D("0.00"), D("516.00"), D("0.00"), D("0.00"), D("802.66")),
    }
    [total] = report.totals()
    assert total["currency"] == "GBP"
    assert figures(total) == (D("386.66"), D("0.00"), D("516.00"), D("-30.00"), D("80.00"),
                              D("952.66"))  # fmt: skip


def test_totals_equal_the_open_entries_to_the_penny(manager, ledger):
    [total] = run(manager).totals()
    ledger_sum = LedgerEntry.objects.open().aggregate(t=Sum("remaining_lcy"))["t"]
    assert total["total"] == ledger_sum == D("952.66")


def test_back_dated_report_reconstructs_what_was_open_then(manager, ledger):
    report = run(manager, as_of="2026-11-14")
    # PAY-A1, PAY-A2, PAY-B1 and INV-B2 are dated after 14 Nov; INV-A4, closed today,
    # was open; INV-A2 and INV-B1 had not been paid yet.
    assert by_account(report) == {
        "A001": (D("100.00"), D("300.00"), D("0.00"), D("-30.00"), D("80.00"), D("450.00")),
        "B001": (D("0.00"), D("0.00"), D("860.00"), D("0.00"), D("0.00"), D("860.00")),
    }
    [total] = report.totals()
    assert total["total"] == D("1310.00")
    assert AgedReceivables().subtitle(report) == "As of 14 Nov 2026"


def test_a_date_before_any_entry_shows_nothing(manager, ledger):
    report = run(manager, as_of="2026-07-01")
    assert report.page().rows == [] and report.totals() == []


def test_drill_down_lists_the_entries_behind_a_figure(manager, ledger):
    entries = run(
        manager, AgedEntries, as_of="2026-11-14", customer=ledger.a.pk, bucket="days_1_30"
    )
    rows = entries.page().rows
    assert {r["document_no"]: r["remaining_lcy_as_of"] for r in rows} == {
        "INV-A2": D("250.00"), "INV-A4": D("50.00"),
    }  # fmt: skip
    assert [r["days_overdue"] for r in rows] == [9, 4]  # due 5 Nov, then 10 Nov
    [total] = entries.totals()
    assert total["remaining_lcy_as_of"] == D("300.00")


@pytest.mark.parametrize("bucket", [*BUCKETS[:-1], None])
def test_every_figure_equals_its_drill_down(manager, ledger, bucket):
    aged = run(manager)
    [total] = aged.totals()
    data = {"bucket": bucket} if bucket else {}
    [drilled] = run(manager, AgedEntries, **data).totals() or [{"remaining_lcy_as_of": D("0")}]
    assert drilled["remaining_lcy_as_of"] == total[bucket or "total"]


def test_figures_link_to_their_drill_down(client, manager, ledger):
    client.force_login(manager)
    html = client.get(reverse("reports:aged-receivables"), {"as_of": "2026-11-14"}).content.decode()
    link = (f"{reverse('reports:aged-receivables-entries')}?customer={ledger.a.pk}"
            f"&amp;as_of=2026-11-14&amp;bucket=days_1_30")  # fmt: skip
    assert link in html
    drilled = client.get(link.replace("&amp;", "&")).content.decode()
    assert "INV-A2" in drilled and "INV-A4" in drilled and "INV-A1" not in drilled


def test_filter_by_controller(manager, controller, ledger):
    assert set(by_account(run(manager, controller=controller.pk))) == {"A001"}
    [total] = run(manager, controller=controller.pk).totals()
    assert total["total"] == D("150.00")


def test_page_csv_and_api_agree(client, manager, ledger):
    client.force_login(manager)
    params = {"as_of": "2026-11-14"}
    page = client.get(reverse("reports:aged-receivables"), params).content.decode()
    response = client.get(reverse("reports:aged-receivables-csv"), params)
    assert response.streaming
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, rows = lines[0], lines[1:]
    assert header == ["Account", "Customer", "Controller", "Not yet due", "1-30", "31-60",
                      "61-90", "Over 90", "Total", "LCY"]  # fmt: skip
    api = api_as(manager).get("/api/v1/reports/aged-receivables/", params).json()
    assert [r[0] for r in rows] == [r["account_code"] for r in api["results"]] == ["A001", "B001"]
    for line, result in zip(rows, api["results"], strict=True):
        assert line[3:9] == [result[k] for k in BUCKETS]
        for amount in line[3:9]:
            assert f"{D(amount):,.2f}" in page
    assert api["totals"] == [{"currency": "GBP", "not_due": "100.00", "days_1_30": "300.00",
                              "days_31_60": "860.00", "days_61_90": "-30.00",
                              "days_over_90": "80.00", "total": "1310.00"}]  # fmt: skip


def test_deferred_totals_row_arrives_by_htmx(client, manager, ledger):
    client.force_login(manager)
    url = reverse("reports:aged-receivables")
    page = client.get(url).content.decode()
    assert 'hx-trigger="load"' in page and "part=totals" in page
    totals = client.get(url, {"part": "totals"}).content.decode()
    assert "Total GBP" in totals and "952.66" in totals


def test_pdf_prints_company_filters_date_and_figures(client, manager, controller, ledger):
    client.force_login(manager)
    response = client.get(reverse("reports:aged-receivables-pdf"),
                          {"as_of": "2026-11-14", "controller": controller.pk})  # fmt: skip
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Aged receivables", "Acme Trading Ltd", "As of 14 Nov 2026",
                     "Controller:", "Printed 23 Nov 2026", "Page 1 of 1", "Alder Joinery Ltd",
                     "300.00", "450.00", "Total GBP"):  # fmt: skip
        assert expected in text, expected
    assert "Birke Handel" not in text


def test_query_count_does_not_grow_with_rows(
    client, manager, company, django_assert_max_num_queries
):
    client.force_login(manager)
    url = reverse("reports:aged-receivables")
    for n in range(3):
        EntryFactory(customer=CustomerFactory(company=company, name=f"Few {n}"))
    with django_assert_max_num_queries(12):
        client.get(url)
    for n in range(40):
        EntryFactory(customer=CustomerFactory(company=company, name=f"Many {n}"))
    with django_assert_max_num_queries(12):
        assert client.get(url).content.decode().count("Many ") >= 40


def test_outsider_sees_none_of_it_and_cannot_name_the_company(client, outsider, ledger, company):
    assert run(outsider).page().rows == []
    refused = run(outsider, company=company.pk)
    assert not refused.valid and "company" in refused.errors
    answer = api_as(outsider).get("/api/v1/reports/aged-receivables/", {"company": company.pk})
    assert answer.status_code == 400
    drill = api_as(outsider).get("/api/v1/reports/aged-receivables/entries/",
                                 {"customer": ledger.a.pk})  # fmt: skip
    assert drill.status_code == 400
    client.force_login(outsider)
    assert (
        client.get(reverse("reports:aged-receivables-csv"), {"company": company.pk}).status_code
        == 400
    )


def test_bad_date_is_refused_with_a_message(client, manager, ledger):
    client.force_login(manager)
    response = client.get(reverse("reports:aged-receivables"), {"as_of": "14/31/2026"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    api = api_as(manager).get("/api/v1/reports/aged-receivables/", {"as_of": "yesterday"})
    assert api.status_code == 400 and "as_of" in str(api.json())


def test_controller_reads_reports_integrator_only_by_api(client, company, controller, ledger):
    client.force_login(controller)
    assert client.get(reverse("reports:aged-receivables")).status_code == 200
    integrator = user_in(company, roles.INTEGRATOR)
    client.force_login(integrator)
    assert client.get(reverse("reports:aged-receivables")).status_code == 403
    assert api_as(integrator).get("/api/v1/reports/aged-receivables/").status_code == 200


@pytest.mark.parametrize("sort", ["total", "-total", "days_over_90", "-not_due"])
def test_sorting_on_an_amount_pages_through_every_customer(manager, ledger, sort):
    rows = run(manager, sort=sort).page().rows
    values = [r[sort.lstrip("-")] for r in rows]
    assert values == sorted(values, reverse=sort.startswith("-"))
    assert {r["account_code"] for r in rows} == {"A001", "B001"}
