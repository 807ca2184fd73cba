"""The charges API: managers set a plan's terms (presets too), integrators read the
proposed charges, acknowledge one once posted (twice: the same answer, nothing more), and
the posted charge comes back through the sync linked by its external reference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from charges.models import PostedCharge
from ledger.models import AuditEvent
from tests.conftest import api_as
from tests.factories import EntryFactory

TODAY = dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC)


@pytest.fixture
def invoice(customer):
    return EntryFactory(customer=customer, document_no="INV100", amount=D("100.00"),
                        document_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 1))  # fmt: skip


def _proposed(client, company, **params):
    response = client.get("/api/v1/proposed-charges/", {"company": company.pk, **params})
    assert response.status_code == 200, response.content
    return response.json()


@time_machine.travel(TODAY, tick=False)
def test_the_worked_example_is_proposed_and_acknowledged_once(company, integrator, invoice,
                                                              fixed_terms):  # fmt: skip
    client = api_as(integrator)
    body = _proposed(client, company)
    assert body["as_of"] == "2026-01-16"
    (charge,) = body["results"]
    assert (charge["reference"], charge["amount"], charge["currency"], charge["period_from"],
            charge["period_to"]) == (f"INT-{invoice.pk}-20260102-20260116", "0.41", "GBP",
                                     "2026-01-02", "2026-01-16")  # fmt: skip
    ack = {"company": company.pk, "reference": charge["reference"], "posted_ref": "FIN-77",
           "amount": "0.41"}  # fmt: skip
    first = client.post("/api/v1/proposed-charges/acknowledge/", ack, format="json")
    second = client.post("/api/v1/proposed-charges/acknowledge/", ack, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert PostedCharge.objects.count() == 1
    assert AuditEvent.objects.filter(model="charges.postedcharge").count() == 1
    assert _proposed(client, company)["results"] == []  # not proposed again


def test_interest_after_a_posted_period_starts_the_day_after(company, integrator, invoice,
                                                             fixed_terms):  # fmt: skip
    client = api_as(integrator)
    with time_machine.travel(TODAY, tick=False):
        (charge,) = _proposed(client, company)["results"]
        client.post("/api/v1/proposed-charges/acknowledge/",
                    {"company": company.pk, "reference": charge["reference"]}, format="json")  # fmt: skip
    with time_machine.travel(TODAY + dt.timedelta(days=10), tick=False):
        (later,) = _proposed(client, company)["results"]
    assert (later["period_from"], later["period_to"], later["amount"]) == (
        "2026-01-17", "2026-01-26", "0.27")  # 100 x 10 % x 10 / 365 = 0.274  # fmt: skip
    stale = client.post("/api/v1/proposed-charges/acknowledge/",
                        {"company": company.pk, "reference": charge["reference"].replace(
                            "20260116", "20260120")}, format="json")  # fmt: skip
    assert stale.status_code == 400
    assert "charged from 2026-01-17" in stale.json()["errors"][0]["message"]


@time_machine.travel(TODAY, tick=False)
def test_the_posted_charge_comes_back_through_the_sync_and_is_not_charged(
    company, integrator, customer, invoice, manager, plan
):
    client = api_as(manager)
    response = client.post(f"/api/v1/charge-terms/{plan.pk}/preset/", {"preset": "UK"},
                           format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    integ = api_as(integrator)
    refs = {c["kind"]: c for c in _proposed(integ, company)["results"]}
    assert refs["compensation"]["amount"] == "40.00"
    posted = integ.post("/api/v1/proposed-charges/acknowledge/",
                        {"company": company.pk, "reference": refs["compensation"]["reference"],
                         "posted_ref": "FIN-CMP-1"}, format="json")  # fmt: skip
    assert posted.status_code == 201
    # The accounting system posts it as a debit memo, overdue already, and syncs it back.
    customer.external_ref = "C1"
    customer.save()
    synced = integ.post("/api/v1/ledger-entries/sync/", {"company": company.code, "rows": [
        {"external_ref": "FIN-CMP-1", "customer_ref": "C1", "entry_type": "debit_memo",
         "document_no": "DM1", "document_date": "2025-12-01", "amount": "40.00"}]},
        format="json")  # fmt: skip
    assert synced.status_code == 200, synced.content
    linked = integ.get("/api/v1/posted-charges/", {"posted_ref": "FIN-CMP-1"}).json()
    assert [c["reference"] for c in linked["results"]] == [refs["compensation"]["reference"]]
    kinds = sorted(c["kind"] for c in _proposed(integ, company)["results"])
    assert kinds == ["interest"]  # the invoice's interest only: not the memo, not the 40 again


def test_managers_set_terms_and_others_may_not(company, manager, controller, plan):
    body = {"interest": "reference", "reference_series": "GB-BOE", "margin": "8",
            "bands": [{"from_amount": "0", "amount": "40"}, {"from_amount": "1000", "amount": "70"}],
            "level_fees": {}}  # fmt: skip
    assert api_as(controller).put(f"/api/v1/charge-terms/{plan.pk}/", body,
                                  format="json").status_code == 403  # fmt: skip
    response = api_as(manager).put(f"/api/v1/charge-terms/{plan.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["bands"] == [{"from_amount": "0.00", "amount": "40.00"},
                                        {"from_amount": "1000.00", "amount": "70.00"}]  # fmt: skip
    bad = api_as(manager).patch(f"/api/v1/charge-terms/{plan.pk}/",
                                {"interest": "fixed", "fixed_rate": None}, format="json")  # fmt: skip
    assert bad.status_code == 400
    assert api_as(manager).get(f"/api/v1/charge-terms/{plan.pk}/").json()["interest"] == "reference"


def test_a_preset_in_another_currency_is_refused(other_company, outsider):
    from followups.plans import plan_for

    plan = plan_for(other_company)  # EUR
    response = api_as(outsider).post(f"/api/v1/charge-terms/{plan.pk}/preset/", {"preset": "UK"},
                                     format="json")  # fmt: skip
    assert response.status_code == 400
    assert "GBP" in response.json()["errors"][0]["message"]
    ok = api_as(outsider).post(f"/api/v1/charge-terms/{plan.pk}/preset/", {"preset": "DE"},
                               format="json")  # fmt: skip
    assert ok.json()["margin"] == "9.0000"
    assert ok.json()["bands"] == [{"from_amount": "0.00", "amount": "40.00"}]


def test_another_company_cannot_touch_the_terms_or_acknowledge(company, outsider, plan, invoice):
    assert api_as(outsider).put(f"/api/v1/charge-terms/{plan.pk}/", {"interest": "none"},
                                format="json").status_code == 404  # fmt: skip
    response = api_as(outsider).post("/api/v1/proposed-charges/acknowledge/",
                                      {"company": company.pk, "reference": f"CMP-{invoice.pk}"},
                                      format="json")  # fmt: skip
    assert response.status_code == 400
    assert PostedCharge.objects.count() == 0


def test_bad_references_get_a_clear_message(company, integrator):
    for ref in ("INT-1-2026-01-01", "CMP-x", "INT-1-20261301-20261302"):
        response = api_as(integrator).post("/api/v1/proposed-charges/acknowledge/",
                                           {"company": company.pk, "reference": ref}, format="json")  # fmt: skip
        assert response.status_code == 400, ref
        assert response.json()["errors"][0]["field"] == "reference"


def test_reference_rates_are_readable(integrator):
    from charges.models import ReferenceRate

    # Tests with a live server flush the tables: make sure of the row this test reads.
    ReferenceRate.objects.update_or_create(series="DE-BASIS", valid_from=dt.date(2024, 7, 1),
                                           defaults={"rate": D("3.37")})  # fmt: skip
    rates = api_as(integrator).get("/api/v1/reference-rates/", {"series": "DE-BASIS"}).json()
    rows = rates["results"] if isinstance(rates, dict) else rates
    assert {"series": "DE-BASIS", "valid_from": "2024-07-01", "rate": "3.3700"} in [
        {k: r[k] for k in ("series", "valid_from", "rate")} for r in rows
    ]
    assert all(r["series"] == "DE-BASIS" for r in rows)


def test_the_shipped_rates_are_the_published_ones():
    """The migration's table against the published values (Bundesbank's Basiszinssatz;
    the Bank of England Bank Rate on 30 June / 31 December)."""
    import importlib

    shipped = importlib.import_module("charges.migrations.0002_reference_rates")
    de, gb = dict(shipped.DE), dict(shipped.GB)
    assert (de["2023-01-01"], de["2023-07-01"], de["2024-01-01"], de["2024-07-01"],
            de["2025-01-01"], de["2025-07-01"]) == ("1.62", "3.12", "3.62", "3.37", "2.27", "1.27")  # fmt: skip
    assert (gb["2023-07-01"], gb["2024-01-01"], gb["2025-01-01"], gb["2025-07-01"]) == (
        "5.00", "5.25", "4.75", "4.25")  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_a_sent_reminder_charges_its_level_fee_once(company, controller, integrator, customer,
                                                    invoice, plan):  # fmt: skip
    from charges.models import LevelFee
    from tests.factories import ContactFactory, proposal_with_lines

    ContactFactory(customer=customer, email="ap@example.com", is_credit_contact=True)
    level = plan.levels.get(sequence=2)
    LevelFee.objects.create(level=level, fee=D("5.00"))
    proposal = proposal_with_lines(customer, 2, [(invoice, 2)], run_date=dt.date(2026, 1, 16))
    response = api_as(controller).post(f"/api/v1/followup-proposals/{proposal.pk}/execute/")
    assert response.status_code == 200, response.content
    LevelFee.objects.filter(level=level).update(fee=D("9.00"))  # later changes leave it be
    client = api_as(integrator)
    (fee,) = [c for c in _proposed(client, company)["results"] if c["kind"] == "fee"]
    assert (fee["amount"], fee["currency"], fee["entry"]) == ("5.00", "GBP", None)
    ack = {"company": company.pk, "reference": fee["reference"], "posted_ref": "FIN-FEE-1"}
    first = client.post("/api/v1/proposed-charges/acknowledge/", ack, format="json")
    again = client.post("/api/v1/proposed-charges/acknowledge/", ack, format="json")
    assert (first.status_code, again.status_code, first.json()) == (201, 200, again.json())
    assert [c for c in _proposed(client, company)["results"] if c["kind"] == "fee"] == []
