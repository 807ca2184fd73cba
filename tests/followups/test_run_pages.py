"""The runs page: recent runs of the user's companies, and "Run now"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUpRun, Proposal
from tests.factories import CustomerFactory, EntryFactory, UserFactory

TODAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def a_run(company, **fields) -> FollowUpRun:
    defaults = {"run_date": TODAY, "trigger": "schedule", "status": "done",
                "finished_at": timezone.now(), "duration_ms": 1530, "proposals_created": 4}  # fmt: skip
    return FollowUpRun.objects.create(company=company, **{**defaults, **fields})


def test_runs_page_lists_the_runs_with_their_figures(client, controller, company):
    a_run(company, proposals_created=17, entries_chaseable=240)
    a_run(company, status="failed", error="division by zero", duration_ms=40)
    client.force_login(controller)
    html = client.get(reverse("followups:runs")).content.decode()
    assert "23 Nov 2026" in html and "Daily schedule" in html
    assert ">17<" in html and ">240<" in html and "1.5 s" in html and "40 ms" in html
    assert "Failed" in html and "division by zero" in html
    assert "Run now" in html


def test_runs_of_another_company_are_not_shown(client, outsider, company, other_company):
    a_run(company, proposals_created=981)
    a_run(other_company, proposals_created=12)
    client.force_login(outsider)
    html = client.get(reverse("followups:runs")).content.decode()
    assert ">981<" not in html and ">12<" in html
    assert client.get(reverse("followups:runs"), {"company": company.pk}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_run_now_runs_the_engine_and_says_what_it_did(client, controller, company):
    # Transactional: the run's task is enqueued on commit and, in-process, has finished by
    # the time the page reports on it, as in production.
    customer = CustomerFactory(company=company, email="ap@customer.example")
    EntryFactory(customer=customer, due_date=TODAY - dt.timedelta(days=10))
    client.force_login(controller)
    response = client.post(reverse("followups:runs"), {"company": company.pk})
    assert response.status_code == 302
    run = FollowUpRun.objects.get()
    assert (run.trigger, run.started_by, run.status) == ("web", controller, "done")
    assert Proposal.objects.filter(customer=customer).exists()
    html = client.get(response["Location"]).content.decode()
    assert "ACME run for 23 Nov 2026 finished: 1 proposals created" in html


def test_run_now_reports_a_run_still_queued(
    client, controller, company, django_capture_on_commit_callbacks
):
    client.force_login(controller)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("followups:runs"), {"company": company.pk}, follow=True)
    assert "ACME run for 23 Nov 2026 is queued" in response.content.decode()
    assert FollowUpRun.objects.get().status == FollowUpRun.Status.QUEUED


def test_run_now_is_for_controllers_and_managers_of_the_company(
    client, company, integrator, outsider
):
    client.force_login(integrator)
    assert client.post(reverse("followups:runs"), {"company": company.pk}).status_code == 403
    assert "Run now" not in client.get(reverse("followups:runs")).content.decode()
    client.force_login(outsider)
    assert client.post(reverse("followups:runs"), {"company": company.pk}).status_code == 404
    client.force_login(UserFactory(companies=[company]))
    assert client.get(reverse("followups:runs")).status_code == 403
    assert not FollowUpRun.objects.exists()


def test_runs_page_query_count(client, manager, company, django_assert_max_num_queries):
    for n in range(40):
        a_run(company, run_date=TODAY - dt.timedelta(days=n), started_by=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("followups:runs")).content.decode()
    assert html.count('<tr class="run-') == 40
