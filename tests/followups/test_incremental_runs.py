"""Incremental runs (issue 16, ``followups.restage``): a run restages only the customers
whose chasing may have changed since the last run — by a write through the application,
or by the calendar reaching one of their dates — and a rerun that finds nothing changed
writes nothing. Runs go through the API a person or a scheduler uses; changes through the
services behind the pages and the sync."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups import entry_actions
from followups.models import FollowUpLevel, Proposal
from followups.plans import plan_for
from tests.factories import ContactFactory, CustomerFactory, EntryFactory

from .test_trust import api, run_now

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)


def written_tables(queries) -> set[str]:
    """The tables an INSERT, UPDATE or DELETE of ``queries`` wrote to."""
    tables = set()
    for query in queries:
        sql = query["sql"].strip()
        match = re.match(r'(?is)^(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', sql)
        if match:
            tables.add(match.group(1))
    return tables


@pytest.fixture
def ledger(company):
    """Three customers with overdue invoices: Ann's 10 days late, Bob's 20, Cy's 3 (level 2
    of the default plan, 7 days after the due date, is due for Ann and Bob only)."""
    plan_for(company)
    customers = {}
    for name, late in (("Ann", 10), ("Bob", 20), ("Cy", 3)):
        customer = CustomerFactory(company=company, name=name)
        ContactFactory(customer=customer, email=f"ap@{name.lower()}.example",
                       is_credit_contact=True)  # fmt: skip
        entry = EntryFactory(customer=customer, due_date=TODAY - dt.timedelta(days=late),
                             document_date=TODAY - dt.timedelta(days=late + 30))  # fmt: skip
        customers[name] = (customer, entry)
    return customers


def proposals(company) -> dict[str, tuple]:
    return {
        p.customer.name: (p.level.sequence, p.total_lcy, p.updated_at)
        for p in Proposal.objects.filter(company=company, status__in=("open", "postponed"))
        .select_related("customer", "level")
    }  # fmt: skip


def test_a_rerun_that_finds_nothing_changed_writes_no_row(company, ledger, controller):
    with at(TODAY):
        first = run_now(controller, company)
        assert first["customers_restaged"] is None  # the first run recomputes everything
        assert set(proposals(company)) == {"Ann", "Bob"}
        with CaptureQueriesContext(connection) as queries:
            again = run_now(controller, company)
    assert again["customers_restaged"] == 0
    assert (again["proposals_created"], again["proposals_refreshed"],
            again["proposals_withdrawn"]) == (0, 0, 0)  # fmt: skip
    # Only the run's own record is written (the request's session and the API's log aside).
    engine_tables = {t for t in written_tables(queries.captured_queries)
                     if t.startswith(("followups_", "ledger_", "communications_"))}  # fmt: skip
    assert engine_tables == {"followups_followuprun"}, engine_tables


def test_a_change_to_one_customer_restages_that_customer_only(company, ledger, controller):
    with at(TODAY):
        run_now(controller, company)
        before = proposals(company)
        _ann, ann_invoice = ledger["Ann"]
        # An exclusion from the proposal page: Ann's proposal is withdrawn at once...
        entry_actions.entries_exclude(user=controller, entries=[ann_invoice], period="1w")
        run = run_now(controller, company)
    # ... and the run looks at Ann alone, and leaves Bob's proposal as it was.
    assert run["customers_restaged"] == 1
    after = proposals(company)
    assert set(after) == {"Bob"} and after["Bob"] == before["Bob"]


def test_the_next_day_restages_only_the_customers_whose_dates_came(company, ledger, controller):
    with at(TODAY):
        run_now(controller, company)
    # Four days on, Cy's invoice is 7 days late: level 2 is due. Ann's and Bob's invoices
    # reach no new level (level 3 comes at 21 days late, Bob's on the 4th) and nothing was
    # written.
    day = TODAY + dt.timedelta(days=4)
    with at(day):
        run = run_now(controller, company, day)
        assert set(proposals(company)) == {"Ann", "Bob", "Cy"}
    assert run["customers_restaged"] == 1
    assert run["proposals_created"] == 1 and run["proposals_refreshed"] == 0


def test_an_executed_customer_comes_back_when_its_next_level_and_interval_come(
    company, ledger, controller
):
    with at(TODAY):
        run_now(controller, company)
        bob = Proposal.objects.get(customer=ledger["Bob"][0], status="open")
        response = api(controller).post(f"/api/v1/followup-proposals/{bob.pk}/execute/")
        assert response.status_code == 200, response.json()
    # The next day Bob's invoice is 21 days late (level 3) but the plan's 7 days between
    # reminders hold it back: the run looks at Bob (the execution marked him) and proposes
    # nothing. On the 7th day both have passed: Bob gets level 3 (and Cy, 10 days late by
    # then, level 2); Ann's proposal, with no date of hers reached, is not looked at.
    day = TODAY + dt.timedelta(days=1)
    with at(day):
        run = run_now(controller, company, day)
        assert run["customers_restaged"] == 1 and "Bob" not in proposals(company)
    ann_before = proposals(company)["Ann"]
    day = TODAY + dt.timedelta(days=7)
    with at(day):
        run = run_now(controller, company, day)
        now = proposals(company)
    assert run["customers_restaged"] == 2
    assert {name: level for name, (level, _total, _at) in now.items()} == {
        "Ann": 2, "Bob": 3, "Cy": 2}  # fmt: skip
    assert now["Ann"] == ann_before


def test_a_changed_plan_or_a_date_back_recomputes_everything(company, ledger, controller,
                                                             manager):  # fmt: skip
    with at(TODAY):
        run_now(controller, company)
        level = FollowUpLevel.objects.get(plan__company=company, sequence=2)
        level.days = 2  # Cy's invoice, 3 days late, now reaches level 2
        level.save()
        run = run_now(controller, company)
        assert run["customers_restaged"] is None
        assert set(proposals(company)) == {"Ann", "Bob", "Cy"}
        back = run_now(controller, company, TODAY - dt.timedelta(days=2))
        assert back["customers_restaged"] is None


def test_run_followups_full_recomputes_every_customer(company, ledger, capsys):
    with at(TODAY):
        call_command("run_followups", "--company", company.code)
        call_command("run_followups", "--company", company.code)
        call_command("run_followups", "--company", company.code, "--full")
    lines = capsys.readouterr().out.strip().splitlines()
    assert ["all customers" in lines[0], "0 customers" in lines[1],
            "all customers" in lines[2]] == [True, True, True], lines  # fmt: skip


def test_the_run_record_says_how_many_customers_were_restaged(company, ledger, controller):
    with at(TODAY):
        run = run_now(controller, company)
        detail = api(controller).get(f"/api/v1/followup-runs/{run['id']}/").json()
    assert "customers_restaged" in detail and detail["customers_restaged"] is None
