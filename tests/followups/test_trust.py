"""Chasing you can trust: the defects of issue 11, each through the door a person uses
(the API, the work list, beat), with the dates that decide chasing frozen.

1. The daily run is on beat's schedule, and beat's own tick dispatches a company's run.
2. Overdue debt never gets the courtesy ("falls due shortly") level.
3. A proposal made on one day and skipped the next: no second level that day.
4. An exclusion changes the open proposal at once; edited texts keep their placeholders,
   so the email lists what the preview lists, to the cent.
5. A promise whose date has passed is broken by the next run, scheduler or not.
(6, concurrent execution on SQLite, is in ``test_embedded_default.py``: it needs a real
file database shared by two server threads.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from communications.promises import promise_create
from followups.models import OutboxMessage, Proposal
from followups.plans import plan_for
from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
RUNS = "/api/v1/followup-runs/"
PROPOSALS = "/api/v1/followup-proposals/"
SYNC = "/api/v1/ledger-entries/sync/"


class Committed:
    """A test client whose every request runs its on-commit work (the enqueued run, the
    outbox delivery) as a real request's commit would, before the call returns."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, verb):
        method = getattr(self.client, verb)

        def call(*args, **kwargs):
            with TestCase.captureOnCommitCallbacks(execute=True):
                return method(*args, **kwargs)

        return call


def api(user) -> Committed:
    return Committed(api_as(user))


def at(day: dt.date, hour: int = 12):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), tick=False)


def sync_invoices(integrator, company, customer, *invoices) -> list[int]:
    """Invoices through the entries sync, as (document no, days late, amount)."""
    rows = [
        {"external_ref": f"INV-{no}", "customer": customer.pk, "entry_type": "invoice",
         "document_no": no, "document_date": str(TODAY - dt.timedelta(days=late + 30)),
         "due_date": str(TODAY - dt.timedelta(days=late)), "amount": amount}
        for no, late, amount in invoices
    ]  # fmt: skip
    response = api(integrator).post(SYNC, {"company": company.code, "rows": rows},
                                       format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    return response.json()["ids"]


def run_now(user, company, day: dt.date | None = None):
    body = {"company": company.pk, **({"date": str(day)} if day else {})}
    response = api(user).post(RUNS, body, format="json")
    assert response.status_code == 202, response.json()
    run = api(user).get(f"{RUNS}{response.json()['id']}/").json()
    assert run["status"] == "done", run
    return run


def live(user) -> list[dict]:
    return api(user).get(PROPOSALS, {"show": "live"}).json()["results"]


@pytest.fixture
def chased(company):
    customer = CustomerFactory(company=company, name="Oldco")
    ContactFactory(customer=customer, first_name="Jo", last_name="Payable",
                   email="ap@oldco.example", is_credit_contact=True)  # fmt: skip
    plan_for(company)
    return customer


# --- 1. The daily run is scheduled -------------------------------------------------------------


def beat_ticks(beat) -> None:
    """Make every entry of the schedule due, then let beat's own ticks send them (one
    entry a tick, as beat does)."""
    for scheduled in beat.schedule.values():
        scheduled.last_run_at = scheduled.default_now() - dt.timedelta(hours=1)
    for _ in range(len(beat.schedule) + 1):
        beat.tick()


def test_beat_dispatches_each_companys_daily_run_at_its_run_time(company, chased, integrator):
    from celery.beat import Scheduler

    from creditcontrol.celery import app

    [entry] = [e for e in app.conf.beat_schedule.values()
               if e["task"] == "followups.tasks.run_due_companies"]  # fmt: skip
    assert entry["schedule"] <= 600  # every few minutes
    with at(TODAY, 5):  # 05:00 in London: before the plan's 06:00
        sync_invoices(integrator, company, chased, ("A-1", 10, "100.00"))
        app.loader.import_default_modules()  # as beat and the worker do when they start
        beat = Scheduler(app=app)
        beat_ticks(beat)
        assert not company.followup_runs.exists()
    with at(TODAY, 7):
        beat_ticks(beat)
        run = company.followup_runs.get()
        assert (run.trigger, run.run_date, run.status) == ("schedule", TODAY, "done")
        assert Proposal.objects.get(customer=chased).level.sequence == 2
        beat_ticks(beat)  # later the same day: nothing more
        assert company.followup_runs.count() == 1


# --- 2. Overdue debt skips the courtesy level ---------------------------------------------------


def test_overdue_debt_at_go_live_never_gets_the_falls_due_text(company, chased, integrator,
                                                               controller):  # fmt: skip
    with at(TODAY):
        sync_invoices(integrator, company, chased, ("B-60", 60, "300.00"), ("B-87", 87, "200.00"),
                      ("B-2", 2, "50.00"))  # fmt: skip
        run_now(controller, company)
        [proposal] = live(controller)
        detail = api(controller).get(f"{PROPOSALS}{proposal['id']}/").json()
        assert detail["level_sequence"] == 2, detail
        assert "falling due soon" not in detail["email_subject"]
        response = api(controller).post(f"{PROPOSALS}{proposal['id']}/execute/")
        assert response.status_code == 200, response.json()
    [sent] = mail.outbox
    assert "falling due soon" not in sent.subject and "fall due" not in sent.body
    assert "B-60" in sent.body and "B-87" in sent.body and "B-2" in sent.body


# --- 3. One level a day, decided from what was done that day -------------------------------------


def test_a_proposal_made_yesterday_and_skipped_today_gets_no_second_level_today(
    company, chased, integrator, controller
):
    plan = plan_for(company)
    plan.min_days_between = 0
    plan.save()
    with at(TODAY - dt.timedelta(days=1)):
        sync_invoices(integrator, company, chased, ("C-1", 50, "100.00"))
        run_now(controller, company)
    with at(TODAY):
        [proposal] = live(controller)
        assert api(controller).post(f"{PROPOSALS}{proposal['id']}/skip/").status_code == 200
        run_now(controller, company)
        assert live(controller) == []
    with at(TODAY + dt.timedelta(days=1)):
        run_now(controller, company)
        [tomorrow] = live(controller)
        assert tomorrow["level_sequence"] == proposal["level_sequence"] + 1


# --- 4. What is previewed is what is sent ---------------------------------------------------------


def test_an_excluded_invoice_leaves_the_proposal_and_the_email_at_once(
    client, company, chased, integrator, controller
):
    client = Committed(client)
    with at(TODAY):
        keep, drop = sync_invoices(integrator, company, chased, ("D-KEEP", 10, "120.00"),
                                   ("D-DROP", 12, "80.00"))  # fmt: skip
        run_now(controller, company)
        proposal = Proposal.objects.get(customer=chased)
        assert proposal.total_lcy == Decimal("200.00")
        client.force_login(controller)
        detail = reverse("followups:proposal-detail", args=[proposal.pk])
        # The controller edits the texts first: the placeholders are there to edit.
        page = client.get(detail).content.decode()
        assert "{entries}" in page and "{overdue}" in page
        response = client.post(detail, {
            "email_subject": "Oldco: {total} overdue",
            "email_body": "Dear {contact},\n\nOur own words.\n\n{entries}\n\nPlease pay {total}.",
            "letter_text": "",
        })  # fmt: skip
        assert response.status_code == 302
        # Then excludes one invoice from the work list's entries panel.
        client.post(reverse("followups:proposal-exclude", args=[proposal.pk]),
                    {"entries": [drop], "period": "1m"}, HTTP_HX_REQUEST="true")  # fmt: skip
        proposal.refresh_from_db()
        assert (proposal.entry_count, proposal.total_lcy) == (1, Decimal("120.00"))
        work_list = client.get(reverse("home")).content.decode()
        assert "120.00" in work_list and "200.00" not in work_list
        preview = client.get(detail).content.decode()
        assert "D-KEEP" in preview and "D-DROP" not in preview
        assert "Our own words." in preview and "Please pay 120.00 GBP" in preview
        response = client.post(detail, {"email_subject": "Oldco: {total} overdue",
                                        "email_body": proposal.email_body, "letter_text": "",
                                        "send": "1"})  # fmt: skip
        assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.subject == "Oldco: 120.00 GBP overdue"
    assert "Our own words." in sent.body and "Please pay 120.00 GBP." in sent.body
    assert "D-KEEP" in sent.body and "D-DROP" not in sent.body
    history = api(controller).get("/api/v1/followup-history/").json()["results"]
    assert [h["total_lcy"] for h in history] == ["120.00"]
    assert OutboxMessage.objects.get().entries.get().pk == keep


def test_a_dispute_or_a_payment_by_sync_refreshes_the_open_proposal(company, chased, integrator,
                                                                   controller):  # fmt: skip
    with at(TODAY):
        first, _second = sync_invoices(integrator, company, chased, ("E-1", 10, "100.00"),
                                      ("E-2", 20, "60.00"))  # fmt: skip
        run_now(controller, company)
        response = api(controller).post("/api/v1/disputes/", {
            "entry": first, "amount": "40.00", "reason": "Short delivery"}, format="json")  # fmt: skip
        assert response.status_code == 201, response.json()
        [proposal] = live(controller)
        assert proposal["total_lcy"] == "120.00"
        rows = [{"external_ref": "INV-E-2", "remaining": "0.00"}]
        response = api(integrator).post(SYNC, {"company": company.code, "rows": rows},
                                           format="json")  # fmt: skip
        assert response.status_code == 200, response.json()
        [proposal] = live(controller)
        assert (proposal["total_lcy"], proposal["entry_count"]) == ("60.00", 1)
        rows = [{"external_ref": "INV-E-1", "remaining": "0.00"}]
        api(integrator).post(SYNC, {"company": company.code, "rows": rows}, format="json")
        assert live(controller) == []
        assert Proposal.objects.get(customer=chased).status == "withdrawn"


# --- 5. Promises break by date, with or without beat ---------------------------------------------


def test_a_run_breaks_a_promise_whose_date_has_passed_then_chases(company, chased, integrator,
                                                                 controller):  # fmt: skip
    with at(TODAY):
        [entry] = sync_invoices(integrator, company, chased, ("F-1", 10, "100.00"))
        promise = promise_create(user=controller, customer=chased, entry_ids=[entry],
                                 promised_on=TODAY + dt.timedelta(days=2), is_full=True)  # fmt: skip
        run_now(controller, company)
        assert live(controller) == []
    with at(TODAY + dt.timedelta(days=3)):
        run_now(controller, company)
        read = api(controller).get(f"/api/v1/promises/{promise.pk}/").json()
        assert read["status"] == "broken"
        [proposal] = live(controller)
        assert proposal["customer"] == chased.pk


# --- Go-live: where chasing had got to comes in with the entries -------------------------------


def test_go_live_imports_each_entrys_last_level_and_the_engine_goes_on_from_there(
    client, company, chased, integrator, controller
):
    with at(TODAY):
        rows = [
            {"external_ref": "G-1", "customer": chased.pk, "entry_type": "invoice",
             "document_no": "G-1", "document_date": "2026-09-01", "due_date": "2026-10-01",
             "amount": "500.00", "followup_level": 3, "followup_level_on": "2026-11-20"},
            {"external_ref": "G-2", "customer": chased.pk, "entry_type": "invoice",
             "document_no": "G-2", "document_date": "2026-09-01", "due_date": "2026-10-01",
             "amount": "50.00", "followup_level": 2},
            {"external_ref": "G-3", "customer": chased.pk, "entry_type": "invoice",
             "document_no": "G-3", "document_date": "2026-11-01", "due_date": "2026-12-01",
             "amount": "50.00", "followup_level": 1, "followup_level_on": "2026-12-24"},
        ]  # fmt: skip
        refused = api(integrator).post(SYNC, {"company": company.code, "rows": rows},
                                       format="json")  # fmt: skip
        assert refused.status_code == 400
        assert {(e["index"], e["field"]) for e in refused.json()["errors"]} == {
            (1, "followup_level_on"), (2, "followup_level_on")}  # fmt: skip
        response = api(integrator).post(SYNC, {"company": company.code, "rows": rows[:1]},
                                        format="json")  # fmt: skip
        assert response.status_code == 200, response.json()
        [entry_id] = response.json()["ids"]
        read = api(integrator).get(f"/api/v1/ledger-entries/{entry_id}/").json()
        assert (read["followup_level"], read["followup_level_on"]) == (3, "2026-11-20")
        run_now(controller, company)
        [proposal] = live(controller)
        assert proposal["level_sequence"] == 4  # 63 days late, level 3 done: the next is 4
        client.force_login(controller)
        tab = client.get(reverse("communications:customer-entries", args=[chased.pk]))
        assert "Level 3 · 20 Nov 2026" in tab.content.decode()


def test_excluding_the_customer_withdraws_its_proposal_at_once(company, chased, integrator,
                                                                controller, manager):  # fmt: skip
    from ledger.services import customer_exclude

    with at(TODAY):
        sync_invoices(integrator, company, chased, ("H-1", 10, "100.00"))
        run_now(controller, company)
        assert len(live(controller)) == 1
        customer_exclude(user=manager, customer=chased, reason="In administration")
        assert live(controller) == []
        assert Proposal.objects.get(customer=chased).status == "withdrawn"
