"""The follow-ups API: plans and their levels (managers change them), and runs of the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
import yaml
from django.core.management import call_command

from followups.models import FollowUpLevel, FollowUpPlan, FollowUpRun, Proposal
from followups.plans import plan_for
from ledger.models import AuditEvent, LedgerEntry
from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, proposal_with_lines

TODAY = dt.date(2026, 11, 23)
PLANS = "/api/v1/followup-plans/"
LEVELS = "/api/v1/followup-levels/"
RUNS = "/api/v1/followup-runs/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def plan(company):
    return plan_for(company)


def invoice(customer, days_late: int, amount: str = "100.00"):
    due = TODAY - dt.timedelta(days=days_late)
    return EntryFactory(customer=customer, due_date=due, document_date=due - dt.timedelta(days=30),
                        amount=Decimal(amount))  # fmt: skip


def errors(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def sequences(plan) -> list[tuple[int, str, int]]:
    return list(plan.levels.order_by("sequence").values_list("sequence", "name", "days"))


NEW_LEVEL = {"name": "Courtesy call", "days": 14, "manual_action": True,
             "manual_action_note": "Ring the accounts payable clerk"}  # fmt: skip


# --- plans ---------------------------------------------------------------------------------------


def test_plans_list_makes_each_company_its_plan_with_the_levels_in_order(
    company, other_company, controller
):
    response = api_as(controller).get(PLANS)
    assert response.status_code == 200
    [body] = response.json()["results"]
    assert body["company"] == company.pk
    assert (body["min_days_between"], body["min_amount"], body["currency"]) == (7, "0.00", "GBP")
    assert [lv["sequence"] for lv in body["levels"]] == [1, 2, 3, 4, 5]
    assert [lv["days"] for lv in body["levels"]] == [-5, 7, 21, 35, 60]
    assert body["levels"][2]["channels"] == ["manual action", "email"]
    assert not FollowUpPlan.objects.filter(company=other_company).exists()


def test_plans_of_another_company_are_not_found(plan, outsider, integrator):
    assert api_as(outsider).get(f"{PLANS}{plan.pk}/").status_code == 404
    assert [p["id"] for p in api_as(outsider).get(PLANS).json()["results"]] != [plan.pk]
    assert api_as(integrator).get(f"{PLANS}{plan.pk}/").status_code == 200


def test_manager_changes_the_plan_options_and_it_is_audited(plan, manager):
    response = api_as(manager).patch(
        f"{PLANS}{plan.pk}/", {"min_days_between": 10, "min_amount": "25.50", "run_at": "05:30"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["min_days_between"], body["min_amount"], body["run_at"]) == (
        10,
        "25.50",
        "05:30:00",
    )
    event = AuditEvent.objects.get(model="followups.followupplan")
    assert (event.user, event.before["min_days_between"], event.after["min_days_between"]) == (
        manager, 7, 10,
    )  # fmt: skip


@pytest.mark.parametrize("who", ["controller", "integrator"])
def test_only_managers_change_the_plan(plan, who, request):
    response = api_as(request.getfixturevalue(who)).patch(f"{PLANS}{plan.pk}/", {"min_amount": "1"})
    assert response.status_code == 403
    assert errors(response)[""] == "Only a credit manager or an administrator may do this."
    plan.refresh_from_db()
    assert plan.min_amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"min_days_between": -1}, "min_days_between"), ({"min_days_between": 400}, "min_days_between"),
     ({"min_amount": "-5"}, "min_amount"), ({"min_amount": "lots"}, "min_amount"),
     ({"run_at": "25:00"}, "run_at")],
)  # fmt: skip
def test_bad_plan_options_name_the_field(plan, manager, body, field):
    response = api_as(manager).patch(f"{PLANS}{plan.pk}/", body)
    assert response.status_code == 400
    assert field in errors(response)


def test_outsider_cannot_change_the_plan(plan, outsider):
    assert api_as(outsider).patch(f"{PLANS}{plan.pk}/", {"min_amount": "1"}).status_code == 404


# --- levels --------------------------------------------------------------------------------------


def test_levels_list_by_plan_and_company(plan, controller, company, other_company):
    other = plan_for(other_company)
    client = api_as(controller)
    assert [lv["sequence"] for lv in client.get(LEVELS, {"plan": plan.pk}).json()["results"]] == [
        1, 2, 3, 4, 5,
    ]  # fmt: skip
    assert client.get(LEVELS, {"company": company.pk}).json()["results"][0]["company"] == company.pk
    assert client.get(LEVELS, {"plan": other.pk}).json()["results"] == []
    outsiders_level = other.levels.get(sequence=1)
    assert client.get(f"{LEVELS}{outsiders_level.pk}/").status_code == 404


def test_manager_adds_a_level_at_the_end(plan, manager):
    response = api_as(manager).post(LEVELS, {"plan": plan.pk, **NEW_LEVEL, "days": 90})
    assert response.status_code == 201, response.json()
    assert (response.json()["sequence"], response.json()["channels"]) == (6, ["manual action"])
    created = AuditEvent.objects.get(model="followups.followuplevel", action="create")
    assert (created.company_id, created.after["days"]) == (plan.company_id, 90)


def test_a_level_added_in_the_middle_moves_the_later_ones_up(plan, manager):
    response = api_as(manager).post(LEVELS, {"plan": plan.pk, "sequence": 3, **NEW_LEVEL})
    assert response.status_code == 201, response.json()
    assert [(n, d) for n, _, d in sequences(plan)] == [(1, -5), (2, 7), (3, 14), (4, 21), (5, 35),
                                                       (6, 60)]  # fmt: skip
    moves = AuditEvent.objects.filter(model="followups.followuplevel", action="update")
    assert sorted((e.before["sequence"], e.after["sequence"]) for e in moves) == [
        (3, 4), (4, 5), (5, 6),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"sequence": 2}, "days", "may not be fewer"),  # 14 days before level 2's 7
        ({"sequence": 8}, "sequence", "from 1 to 6"),
        ({"days": "soon"}, "days", "integer"),
        ({"days": -400}, "days", "-365"),
        ({"name": ""}, "name", "blank"),
        ({"send_email": True}, "email_subject", "needs a subject"),
        ({"send_letter": True, "letter_text": "Pay {amount} now"}, "letter_text", "{amount}"),
        ({"manual_action": False}, "manual_action", "at least one action"),
        ({"letter_style": "shouty"}, "letter_style", "valid choice"),
    ],
)
def test_bad_new_level_names_the_field_and_adds_nothing(plan, manager, body, field, words):
    response = api_as(manager).post(LEVELS, {"plan": plan.pk, **NEW_LEVEL, **body})
    assert response.status_code == 400, response.json()
    assert words in errors(response)[field], errors(response)
    assert plan.levels.count() == 5


def test_a_level_cannot_be_added_to_a_plan_of_another_company(manager, other_company):
    response = api_as(manager).post(LEVELS, {"plan": plan_for(other_company).pk, **NEW_LEVEL})
    assert response.status_code == 400
    assert "is visible to you" in errors(response)["plan"]


@pytest.mark.parametrize("who", ["controller", "integrator"])
def test_only_managers_add_change_or_delete_levels(plan, who, request):
    client = api_as(request.getfixturevalue(who))
    level = plan.levels.get(sequence=5)
    assert client.post(LEVELS, {"plan": plan.pk, **NEW_LEVEL}).status_code == 403
    assert client.patch(f"{LEVELS}{level.pk}/", {"name": "X"}).status_code == 403
    assert client.delete(f"{LEVELS}{level.pk}/").status_code == 403
    assert sequences(plan)[4][1] == "Final demand"


def test_manager_edits_a_level_and_the_change_is_audited(plan, manager):
    level = plan.levels.get(sequence=2)
    response = api_as(manager).patch(f"{LEVELS}{level.pk}/",
                                     {"days": 10, "email_subject": "{company}: please pay {total}"})  # fmt: skip
    assert response.status_code == 200, response.json()
    assert (response.json()["days"], response.json()["sequence"]) == (10, 2)
    event = AuditEvent.objects.get(model="followups.followuplevel", object_id=level.pk)
    assert (event.before["days"], event.after["days"]) == (7, 10)


def test_moving_a_level_keeps_the_days_in_order(plan, manager):
    client = api_as(manager)
    third = plan.levels.get(sequence=3)
    refused = client.patch(f"{LEVELS}{third.pk}/", {"sequence": 2})
    assert refused.status_code == 400
    assert "due sooner" in errors(refused)["sequence"]
    # The same days as level 2: it may move before it.
    moved = client.patch(f"{LEVELS}{third.pk}/", {"sequence": 2, "days": 7})
    assert moved.status_code == 200, moved.json()
    assert [name for _, name, _ in sequences(plan)][:3] == [
        "Friendly reminder before due", "Telephone call", "First reminder",
    ]  # fmt: skip
    too_late = client.patch(f"{LEVELS}{third.pk}/", {"days": 40})
    assert "may not be fewer" in errors(too_late)["days"]


def test_renumbering_levels_entries_have_reached_is_refused(plan, manager, customer):
    entry = invoice(customer, 30)
    LedgerEntry.objects.filter(pk=entry.pk).update(followup_level=3, followup_level_on=TODAY)
    client = api_as(manager)
    refused = client.post(LEVELS, {"plan": plan.pk, "sequence": 2, **NEW_LEVEL, "days": 7})
    assert refused.status_code == 400
    assert "already reached" in errors(refused)["sequence"]
    # After every level an entry has reached, and at the end, levels may still change.
    assert (
        client.post(LEVELS, {"plan": plan.pk, "sequence": 4, **NEW_LEVEL, "days": 30}).status_code
        == 201
    )
    assert client.post(LEVELS, {"plan": plan.pk, **NEW_LEVEL, "days": 99}).status_code == 201
    assert [n for n, _, _ in sequences(plan)] == [1, 2, 3, 4, 5, 6, 7]


def test_an_unused_level_is_deleted_and_the_later_ones_move_down(plan, manager):
    level = plan.levels.get(sequence=2)
    response = api_as(manager).delete(f"{LEVELS}{level.pk}/")
    assert response.status_code == 204
    assert [(n, name) for n, name, _ in sequences(plan)] == [
        (1, "Friendly reminder before due"), (2, "Telephone call"), (3, "Formal letter"),
        (4, "Final demand"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(model="followups.followuplevel", action="delete").count() == 1


def test_a_level_a_proposal_uses_is_not_deleted(plan, manager, customer):
    proposal_with_lines(customer, 5, [(invoice(customer, 70), 5)])
    level = plan.levels.get(sequence=5)
    response = api_as(manager).delete(f"{LEVELS}{level.pk}/")
    assert response.status_code == 400
    assert "cannot be deleted" in errors(response)["level"]
    assert FollowUpLevel.objects.filter(pk=level.pk).exists()


def test_outsider_cannot_touch_levels(plan, outsider):
    level = plan.levels.get(sequence=5)
    client = api_as(outsider)
    assert client.patch(f"{LEVELS}{level.pk}/", {"name": "Mine"}).status_code == 404
    assert client.delete(f"{LEVELS}{level.pk}/").status_code == 404


# --- runs ----------------------------------------------------------------------------------------


def test_controller_starts_a_run_and_reads_its_result(
    company, controller, customer, django_capture_on_commit_callbacks
):
    ContactFactory(customer=customer, email="ap@bolt.example", is_credit_contact=True)
    invoice(customer, 10)
    client = api_as(controller)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, {"company": company.pk})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert response["Location"].endswith(f"{RUNS}{body['id']}/")
    assert (body["run_date"], body["trigger"], body["started_by"]) == (
        "2026-11-23", "api", controller.pk,
    )  # fmt: skip
    # The run's task runs in-process after the commit here: it has finished.
    read = client.get(response["Location"]).json()
    assert (read["status"], read["proposals_created"], read["error"]) == ("done", 1, "")
    assert Proposal.objects.filter(customer=customer, status="open").count() == 1


def test_a_run_for_an_earlier_day_and_a_retry_with_the_same_key(company, manager):
    client = api_as(manager)
    first = client.post(RUNS, {"company": company.pk, "date": "2026-11-20"},
                        HTTP_IDEMPOTENCY_KEY="run-20")  # fmt: skip
    assert first.status_code == 202
    again = client.post(RUNS, {"company": company.pk, "date": "2026-11-20"},
                        HTTP_IDEMPOTENCY_KEY="run-20")  # fmt: skip
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert FollowUpRun.objects.get().run_date == dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [({"date": "2026-11-24"}, "date", "in the future"),
     ({"date": "2026-09-01"}, "date", "at most 31 days"),
     ({"date": "23/11/2026"}, "date", "format"),
     ({"company": None}, "company", "Give the company"),
     ({"company": "ACME"}, "company", "a number")],
)  # fmt: skip
def test_bad_run_requests_name_the_field(company, controller, body, field, words):
    response = api_as(controller).post(RUNS, {"company": company.pk, **body})
    assert response.status_code == 400
    assert words in errors(response)[field]
    assert not FollowUpRun.objects.exists()


def test_runs_are_started_by_controllers_and_managers_of_the_company_only(
    company, integrator, outsider
):
    assert api_as(integrator).post(RUNS, {"company": company.pk}).status_code == 403
    refused = api_as(outsider).post(RUNS, {"company": company.pk})
    assert refused.status_code == 400
    assert "visible to you" in errors(refused)["company"]
    assert not FollowUpRun.objects.exists()


def test_runs_filter_and_stay_in_their_company(company, other_company, controller, outsider):
    mine = FollowUpRun.objects.create(company=company, run_date=TODAY, trigger="schedule",
                                      status="done")  # fmt: skip
    older = FollowUpRun.objects.create(company=company, run_date=TODAY - dt.timedelta(days=1),
                                       trigger="web", status="failed", error="boom")  # fmt: skip
    theirs = FollowUpRun.objects.create(company=other_company, run_date=TODAY, trigger="api")
    client = api_as(controller)
    ids = lambda **q: [r["id"] for r in client.get(RUNS, q).json()["results"]]  # noqa: E731
    assert set(ids()) == {mine.pk, older.pk}
    assert ids(date="2026-11-22") == [older.pk]
    assert ids(status="failed") == [older.pk]
    assert ids(company=company.pk, date_from="2026-11-23") == [mine.pk]
    assert client.get(f"{RUNS}{theirs.pk}/").status_code == 404
    assert ids(company=other_company.pk) == []
    assert api_as(outsider).get(f"{RUNS}{mine.pk}/").status_code == 404
    assert client.get(RUNS, {"status": "sleeping"}).status_code == 400


def test_lists_of_plans_levels_and_runs_keep_their_query_count(
    company, controller, django_assert_max_num_queries
):
    client = api_as(controller)
    client.get(PLANS)  # the plan is made on the first read
    for n in range(5):
        FollowUpRun.objects.create(company=company, run_date=TODAY, trigger="web",
                                   started_by=controller)  # fmt: skip
        CustomerFactory(company=company, name=f"Spare {n}")
    for url in (PLANS, LEVELS, RUNS):
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200
    plan = FollowUpPlan.objects.get(company=company)
    for days in range(61, 71):
        FollowUpLevel.objects.create(plan=plan, sequence=days - 55, name=f"Extra {days}", days=days)
    with django_assert_max_num_queries(6):
        assert len(client.get(LEVELS).json()["results"]) == 15
    for _ in range(20):
        FollowUpRun.objects.create(company=company, run_date=TODAY, trigger="web",
                                   started_by=controller)  # fmt: skip
    with django_assert_max_num_queries(6):
        assert len(client.get(RUNS).json()["results"]) == 25


def test_schema_documents_every_followup_endpoint_and_verb(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    expected = {
        "/api/v1/followup-plans/{id}/": {"get", "patch"},
        "/api/v1/followup-levels/": {"get", "post"},
        "/api/v1/followup-levels/{id}/": {"get", "patch", "delete"},
        "/api/v1/followup-runs/": {"get", "post"},
        "/api/v1/followup-proposals/{id}/": {"get", "patch"},
        "/api/v1/followup-proposals/{id}/execute/": {"post"},
        "/api/v1/followup-proposals/{id}/skip/": {"post"},
        "/api/v1/followup-proposals/{id}/postpone/": {"post"},
        "/api/v1/followup-proposals/execute/": {"post"},
        "/api/v1/followup-exclusions/": {"get", "post"},
        "/api/v1/followup-exclusions/include/": {"post"},
        "/api/v1/expected-payment-dates/": {"post"},
        "/api/v1/followup-history/": {"get"},
        "/api/v1/outbox-messages/{id}/mark-sent/": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert "409" in paths["/api/v1/followup-proposals/{id}/execute/"]["post"]["responses"]
    assert "202" in paths["/api/v1/followup-runs/"]["post"]["responses"]
