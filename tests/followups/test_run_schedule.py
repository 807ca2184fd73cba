"""Runs on a schedule, on demand and from the command line: which companies run when
(each on its own clock), duplicates, access, the command's output, the start page."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from creditcontrol import roles
from followups.engine import run_start
from followups.models import FollowUpRun, Proposal
from followups.plans import plan_for
from followups.tasks import run_due_companies, run_task
from tests.factories import CompanyFactory, EntryFactory, user_in

pytestmark = pytest.mark.django_db


def test_the_schedule_runs_each_company_once_after_its_own_run_time():
    london = CompanyFactory(time_zone="Europe/London")
    auckland = CompanyFactory(time_zone="Pacific/Auckland")
    for company in (london, auckland):
        plan_for(company)  # default run time 06:00
    # 18:30 UTC on 23 Nov: 18:30 in London, 07:30 on 24 Nov in Auckland.
    queued = run_due_companies(now="2026-11-23T18:30:00+00:00")
    runs = {run.company_id: run for run in FollowUpRun.objects.filter(pk__in=queued)}
    assert runs[london.pk].run_date == dt.date(2026, 11, 23)
    assert runs[auckland.pk].run_date == dt.date(2026, 11, 24)
    assert all(run.status == "done" and run.trigger == "schedule" for run in runs.values())
    # A later tick the same day queues nothing more.
    assert run_due_companies(now="2026-11-23T18:45:00+00:00") == []


def test_the_schedule_waits_for_the_plans_run_time():
    company = CompanyFactory(time_zone="Europe/Berlin")
    plan = plan_for(company)
    plan.run_at = dt.time(7, 0)
    plan.save()
    assert run_due_companies(now="2026-11-23T05:30:00+00:00") == []  # 06:30 in Berlin
    assert len(run_due_companies(now="2026-11-23T06:00:00+00:00")) == 1  # 07:00 in Berlin


def test_a_run_task_delivered_twice_runs_once():
    company = CompanyFactory()
    run = FollowUpRun.objects.create(company=company, run_date=dt.date(2026, 11, 23), trigger="api")
    assert run_task(run.pk) == "done"
    assert run_task(run.pk) == "done"  # the second delivery finds it done and leaves it
    assert FollowUpRun.objects.filter(company=company).count() == 1
    assert run_task(987654) == "gone"


@time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False)
def test_run_start_checks_access_and_the_date(
    company, controller, outsider, integrator, django_capture_on_commit_callbacks
):
    EntryFactory(customer__company=company, due_date=dt.date(2026, 11, 10))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(user=controller, company=company)
        assert FollowUpRun.objects.get(pk=run.pk).status == "queued"  # until the commit
    run.refresh_from_db()
    assert (run.status, run.trigger, run.started_by) == ("done", "web", controller)
    assert Proposal.objects.filter(company=company, status="open").count() == 1
    for user in (outsider, integrator):
        with pytest.raises(PermissionDenied):
            run_start(user=user, company=company)
    with pytest.raises(ValidationError, match="after today"):
        run_start(user=controller, company=company, as_of=dt.date(2026, 11, 24))
    with pytest.raises(ValidationError, match="at most 31 days"):
        run_start(user=controller, company=company, as_of=dt.date(2026, 10, 22))


@time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False)
def test_the_command_runs_the_companies_named_on_their_date():
    first, second = CompanyFactory(code="AAA"), CompanyFactory(code="BBB")
    EntryFactory(customer__company=first, due_date=dt.date(2026, 11, 10))
    out = StringIO()
    call_command("run_followups", "--company", "AAA", "--date", "2026-11-20", stdout=out)
    assert "AAA 2026-11-20: 1 created, 0 refreshed, 0 withdrawn, 1 open" in out.getvalue()
    assert not FollowUpRun.objects.filter(company=second).exists()
    with pytest.raises(CommandError, match="No company with code ZZZ"):
        call_command("run_followups", "--company", "ZZZ")


def test_the_command_fails_when_a_run_fails(monkeypatch):
    CompanyFactory(code="AAA")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("followups.engine._merge", broken)
    err = StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("run_followups", stderr=err, stdout=StringIO())
    assert "disk full" in err.getvalue()


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        (roles.MANAGER, "reports:dashboard"),
        (roles.ADMINISTRATOR, "reports:dashboard"),
        (roles.CONTROLLER, "home"),
    ],
)
def test_signing_in_lands_managers_on_the_dashboard_and_controllers_on_the_work_list(
    client, company, role, lands_on
):
    user = user_in(company, role)
    client.force_login(user)
    response = client.get(reverse("start"))
    assert response.status_code == 302 and response.url == reverse(lands_on)


def test_a_manager_who_is_also_a_controller_starts_on_the_work_list(client, company):
    user = user_in(company, roles.MANAGER)
    user.groups.add(*user_in(company, roles.CONTROLLER).groups.all())
    client.force_login(user)
    assert client.get(reverse("start")).url == reverse("home")
