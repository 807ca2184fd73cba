"""The workbench's lists through the API: configurable lists (managers write), entry statuses
and notes (read), notifications (your own), and no company's records leaking to another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
import yaml
from django.contrib.auth.models import Permission, User
from django.core.management import call_command

from communications.models import Notification, Outcome, StatusCode
from communications.promises import dispute_set, promise_create
from communications.services import call_action_record, communication_create, entries_update
from communications.todos import todo_create
from tests.conftest import api_as
from tests.factories import (
    CustomerFactory,
    EntryFactory,
    action_type,
    response,
    status_code,
)

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db

LISTS = ["status-codes", "outcomes", "action-types", "customer-responses"]
NEW_ROWS = {
    "status-codes": {"code": "REM", "description": "Remittance promised"},
    "outcomes": {"name": "Wrong number"},
    "action-types": {"name": "Visit", "behaviour": "record"},
    "customer-responses": {"name": "Will ask the director"},
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fields_of(response):
    return {e["field"] for e in response.json()["errors"]}


# --- configurable lists -------------------------------------------------------------------


@pytest.mark.parametrize("kind", LISTS)
def test_every_role_reads_the_configurable_lists(integrator, controller, kind):
    for user in (integrator, controller):
        response = api_as(user).get(f"/api/v1/{kind}/")
        assert response.status_code == 200
        assert len(response.json()["results"]) >= 5


def test_lists_come_in_their_sort_order(controller):
    names = [o["name"] for o in api_as(controller).get("/api/v1/outcomes/").json()["results"]]
    assert names[0] == "Payment promised"
    assert names == [o.name for o in Outcome.objects.order_by("sort_order", "id")]


@pytest.mark.parametrize("kind", LISTS)
def test_administrators_add_and_change_list_items(administrator, kind):
    created = api_as(administrator).post(f"/api/v1/{kind}/", NEW_ROWS[kind], format="json")
    assert created.status_code == 201, created.json()
    item = created.json()
    changed = api_as(administrator).patch(f"/api/v1/{kind}/{item['id']}/", {"is_active": False},
                                          format="json")  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False
    active = api_as(administrator).get(f"/api/v1/{kind}/", {"is_active": "true"}).json()["results"]
    assert item["id"] not in [row["id"] for row in active]


@pytest.mark.parametrize("kind", LISTS)
def test_controllers_and_integrators_cannot_change_the_lists(controller, integrator, kind):
    first = api_as(controller).get(f"/api/v1/{kind}/").json()["results"][0]
    for user in (controller, integrator):
        client = api_as(user)
        assert client.post(f"/api/v1/{kind}/", NEW_ROWS[kind], format="json").status_code == 403
        assert client.patch(f"/api/v1/{kind}/{first['id']}/", {"is_active": False},
                            format="json").status_code == 403  # fmt: skip


@pytest.mark.parametrize("kind", LISTS)
def test_list_items_are_retired_not_deleted(administrator, kind):
    first = api_as(administrator).get(f"/api/v1/{kind}/").json()["results"][0]
    assert api_as(administrator).delete(f"/api/v1/{kind}/{first['id']}/").status_code == 405


def test_a_status_code_is_promised_or_queried_not_both(administrator):
    response = api_as(administrator).post("/api/v1/status-codes/", {
        "code": "BOTH", "description": "Both", "is_promised": True, "is_queried": True},
        format="json")  # fmt: skip
    assert response.status_code == 400
    assert "promised or queried, not both" in response.json()["errors"][0]["message"]
    assert not StatusCode.objects.filter(code="BOTH").exists()


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("status-codes", {"code": "PROM", "description": "Again"}, "code"),
        ("status-codes", {"code": "X" * 13, "description": "Long"}, "code"),
        ("outcomes", {"name": "Left a message"}, "name"),
        ("outcomes", {"name": "New", "sort_order": -1}, "sort_order"),
        ("action-types", {"name": "Odd", "behaviour": "explode"}, "behaviour"),
        ("customer-responses", {"name": ""}, "name"),
    ],
)
def test_bad_list_items_name_the_field(administrator, kind, body, field):
    response = api_as(administrator).post(f"/api/v1/{kind}/", body, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)


def test_status_codes_filter_by_flag(controller):
    rows = api_as(controller).get("/api/v1/status-codes/", {"is_queried": "true"}).json()
    assert {r["code"] for r in rows["results"]} == {"QRY", "POD"}


# --- entry statuses and notes ---------------------------------------------------------------


@pytest.fixture
def worked(controller, customer, company):
    """Two entries of the customer coded and noted on a communication; one of another."""
    entries = [EntryFactory(customer=customer), EntryFactory(customer=customer)]
    other = EntryFactory(customer=CustomerFactory(company=company))
    c = communication_create(user=controller, customer=customer, communication_type="telephone",
                             contact_type="telephone_made", subject="Queries")  # fmt: skip
    entries_update(user=controller, customer=customer, entry_ids=[e.pk for e in entries],
                   status_code=status_code("QRY"), note="Wants PODs", communication=c)  # fmt: skip
    entries_update(user=controller, customer=other.customer, entry_ids=[other.pk],
                   status_code=status_code("COPY"))  # fmt: skip
    return {"entries": entries, "other": other, "communication": c}


def test_entry_statuses_read_per_entry_and_filter_by_customer(worked, integrator, customer):
    client = api_as(integrator)
    entry = worked["entries"][0]
    one = client.get(f"/api/v1/entry-statuses/{entry.pk}/")
    assert one.status_code == 200
    body = one.json()
    assert (body["entry"], body["customer"], body["status_code_label"]) == (
        entry.pk, customer.pk, "QRY"
    )  # fmt: skip
    assert body["query_target_on"] == "2026-03-10"
    listed = client.get("/api/v1/entry-statuses/", {"customer": customer.pk}).json()["results"]
    assert sorted(r["entry"] for r in listed) == sorted(e.pk for e in worked["entries"])
    assert len(client.get("/api/v1/entry-statuses/").json()["results"]) == 3
    coded = client.get("/api/v1/entry-statuses/", {"status_code": status_code("COPY").pk})
    assert [r["entry"] for r in coded.json()["results"]] == [worked["other"].pk]


def test_entry_statuses_are_read_only(worked, manager):
    entry = worked["entries"][0]
    client = api_as(manager)
    assert client.patch(f"/api/v1/entry-statuses/{entry.pk}/", {}, format="json").status_code == 405
    assert client.post("/api/v1/entry-statuses/", {}, format="json").status_code == 405


def test_entry_notes_read_and_filter_by_entry_and_communication(worked, controller):
    client = api_as(controller)
    entry = worked["entries"][0]
    notes = client.get("/api/v1/entry-notes/", {"entry": entry.pk}).json()["results"]
    assert [(n["text"], n["communication"]) for n in notes] == [
        ("Wants PODs", worked["communication"].pk)
    ]
    by_call = client.get("/api/v1/entry-notes/", {"communication": worked["communication"].pk})
    assert len(by_call.json()["results"]) == 2
    assert client.get("/api/v1/entry-notes/", {"entry": "first"}).status_code == 400


# --- notifications ------------------------------------------------------------------------------


@pytest.fixture
def alert(controller, manager, customer):
    c = communication_create(user=controller, customer=customer, communication_type="telephone",
                             contact_type="telephone_made", subject="Worrying call")  # fmt: skip
    return call_action_record(
        user=controller,
        communication=c,
        action_type=action_type("Alert"),
        response=response("Refused to pay"),
        notes="Says they will not pay",
    )


def test_notifications_are_your_own_and_are_marked_read(alert, manager, controller):
    client = api_as(manager)
    listed = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert len(listed) == 1
    note = listed[0]
    assert (note["is_read"], note["call_action"]) == (False, alert.pk)
    read = client.post(f"/api/v1/notifications/{note['id']}/read/")
    assert read.status_code == 200
    assert read.json()["is_read"] is True
    again = client.post(f"/api/v1/notifications/{note['id']}/read/")
    assert again.json()["read_at"] == read.json()["read_at"]
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []
    mine = api_as(controller)
    assert mine.get(f"/api/v1/notifications/{note['id']}/").status_code == 404
    assert mine.post(f"/api/v1/notifications/{note['id']}/read/").status_code == 404
    assert Notification.objects.get().read_at is not None


def test_integrators_may_mark_their_own_notifications_read(integrator, company, customer):
    note = Notification.objects.create(company=company, user=integrator, text="Sync finished")
    response = api_as(integrator).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200


# --- no leaks, for every workbench resource ------------------------------------------------------


@pytest.fixture
def workbench(controller, manager, customer, alert):
    """One record of each workbench resource in the first company."""
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    c = alert.communication
    entries_update(user=controller, customer=customer, entry_ids=[invoice.pk],
                   status_code=status_code("QRY"), note="Note", communication=c)  # fmt: skip
    promise = promise_create(user=controller, customer=customer, entry_ids=[invoice.pk],
                             promised_on=dt.date(2026, 3, 20), is_full=True)  # fmt: skip
    second = EntryFactory(customer=customer)
    return {
        "communications": c.pk,
        "call-actions": alert.pk,
        "promises": promise.pk,
        "disputes": dispute_set(user=controller, entry=second, amount="5", reason="x").pk,
        "todos": todo_create(
            user=controller, customer=customer, description="Do", due_on=dt.date(2026, 3, 11)
        ).pk,
        "entry-statuses": invoice.pk,
        "entry-notes": invoice.notes.get().pk,
        "notifications": Notification.objects.get(user=manager).pk,
    }


WORKBENCH = ["communications", "call-actions", "promises", "disputes", "todos",
             "entry-statuses", "entry-notes", "notifications"]  # fmt: skip


@pytest.mark.parametrize("resource", WORKBENCH)
def test_outsider_gets_404_and_lists_nothing(workbench, outsider, resource):
    client = api_as(outsider)
    assert client.get(f"/api/v1/{resource}/{workbench[resource]}/").status_code == 404
    assert client.get(f"/api/v1/{resource}/").json()["results"] == []


@pytest.mark.parametrize("resource", WORKBENCH)
def test_user_without_a_role_is_refused_everywhere(workbench, company, resource):
    nobody = User.objects.create_user("nobody", password="x-pass-12345")
    company.members.add(nobody)
    client = api_as(nobody)
    assert client.get(f"/api/v1/{resource}/").status_code == 403
    assert client.get(f"/api/v1/{resource}/{workbench[resource]}/").status_code == 403


@pytest.mark.parametrize("resource", [*WORKBENCH, *LISTS])
def test_anonymous_is_refused_everywhere(api, resource):
    assert api.get(f"/api/v1/{resource}/").status_code == 401


@pytest.mark.parametrize("resource", [r for r in WORKBENCH if r != "notifications"])
def test_members_see_the_record(workbench, controller, integrator, resource):
    for user in (controller, integrator):
        assert api_as(user).get(f"/api/v1/{resource}/{workbench[resource]}/").status_code == 200


@pytest.mark.parametrize("resource", [*WORKBENCH, *LISTS])
@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999999999999", "1.5"])
def test_unknown_or_malformed_ids_are_404_not_500(workbench, controller, resource, bad):
    assert api_as(controller).get(f"/api/v1/{resource}/{bad}/").status_code == 404


@pytest.mark.parametrize(
    ("resource", "query"),
    [
        ("communications", {"customer": "abc"}),
        ("communications", {"occurred_from": "2026-13-01"}),
        ("communications", {"live": "perhaps"}),
        ("call-actions", {"created_from": "yesterday"}),
        ("promises", {"status": "maybe"}),
        ("disputes", {"opened_from": "2026-02-30"}),
        ("todos", {"due_to": "2026/03/10"}),
        ("entry-statuses", {"customer": "ACC001"}),
        ("notifications", {"unread": "x"}),
        ("outcomes", {"is_active": "sometimes"}),
        ("todos", {"ordering": "description"}),
        ("todos", {"cursor": "not-a-cursor"}),
        ("todos", {"page_size": "lots"}),
    ],
)
def test_bad_filters_are_refused_or_ignored_never_a_500(workbench, manager, resource, query):
    response = api_as(manager).get(f"/api/v1/{resource}/", query)
    assert response.status_code in (200, 400, 404), response.content


def test_list_queries_do_not_grow_with_the_rows(
    controller, customer, django_assert_max_num_queries
):
    for n in range(12):
        c = communication_create(user=controller, customer=customer, subject=f"Call {n}",
                                 communication_type="telephone", contact_type="telephone_made",
                                 entry_ids=[EntryFactory(customer=customer).pk])  # fmt: skip
        todo_create(
            user=controller,
            customer=customer,
            description=f"Do {n}",
            due_on=dt.date(2026, 3, 11),
            entry_ids=c.entries.values_list("pk", flat=True),
        )
    client = api_as(controller)
    for resource in ("communications", "todos", "call-actions", "entry-statuses"):
        with django_assert_max_num_queries(8):
            assert client.get(f"/api/v1/{resource}/").status_code == 200


# --- the schema ------------------------------------------------------------------------------


def test_schema_documents_every_workbench_endpoint_and_verb(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    spec = yaml.safe_load(target.read_text())
    paths = spec["paths"]
    for resource in [*WORKBENCH, *LISTS]:
        assert f"/api/v1/{resource}/" in paths
    for verb in ("complete", "reopen", "update-entries"):
        assert f"/api/v1/communications/{{id}}/{verb}/" in paths
    assert "/api/v1/promises/{id}/cancel/" in paths
    assert "/api/v1/todos/{id}/close/" in paths
    assert "/api/v1/todos/{id}/reopen/" in paths
    assert "/api/v1/notifications/{id}/read/" in paths
    assert "/api/v1/entry-statuses/{entry}/" in paths
    create = paths["/api/v1/communications/"]["post"]
    assert create["tags"] == ["communications"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    listing = paths["/api/v1/todos/"]["get"]
    assert {"show", "owner", "customer", "cursor"} <= {p["name"] for p in listing["parameters"]}


# --- the admin ---------------------------------------------------------------------------------


ADMIN_PAGES = ["communication", "callaction", "dispute", "promise", "entrystatus", "entrynote",
               "todo", "notification"]  # fmt: skip


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_admin_shows_workbench_records_of_the_staff_members_companies_read_only(
    client, workbench, administrator, outsider, model
):
    administrator.is_staff = True
    administrator.save()
    views = Permission.objects.filter(content_type__app_label="communications",
                                      codename__startswith="view")  # fmt: skip
    administrator.user_permissions.add(*views)
    client.force_login(administrator)
    page = client.get(f"/admin/communications/{model}/")
    assert page.status_code == 200
    assert page.context["cl"].result_count >= 1
    assert client.get(f"/admin/communications/{model}/add/").status_code == 403
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(*views)
    client.force_login(outsider)
    assert client.get(f"/admin/communications/{model}/").context["cl"].result_count == 0


def test_admin_edits_the_configurable_lists_but_never_deletes(admin_client):
    outcome = Outcome.objects.get(name="No answer")
    assert (
        admin_client.get(f"/admin/communications/outcome/{outcome.pk}/change/").status_code == 200
    )
    assert (
        admin_client.get(f"/admin/communications/outcome/{outcome.pk}/delete/").status_code == 403
    )


HUGE = 99999999999999999999


@pytest.mark.parametrize(
    ("resource", "body"),
    [
        ("communications", {"entries": [HUGE]}),
        ("communications", {"customer": HUGE}),
        ("communications", {"outcome": HUGE}),
        ("promises", {"entries": [HUGE], "full_amount": True, "promised_on": "2026-03-20"}),
        ("disputes", {"entry": HUGE, "amount": "1", "reason": "x"}),
        ("todos", {"description": "x", "due_on": "2026-03-12", "entries": [HUGE]}),
        ("todos", {"description": "x", "due_on": "2026-03-12", "owner": HUGE}),
        ("call-actions", {"communication": HUGE, "action_type": 1}),
    ],
)
def test_ids_too_large_for_the_database_are_refused_not_a_500(controller, customer, resource, body):
    payload = {"customer": customer.pk, "communication_type": "telephone",
               "contact_type": "telephone_made", "subject": "x", **body}  # fmt: skip
    response = api_as(controller).post(f"/api/v1/{resource}/", payload, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("resource", [*WORKBENCH, *LISTS])
def test_filters_with_ids_too_large_are_not_a_500(controller, resource):
    query = {"customer": HUGE, "entry": HUGE, "owner": HUGE, "company": HUGE, "communication": HUGE}
    response = api_as(controller).get(f"/api/v1/{resource}/", query)
    assert response.status_code in (200, 400), response.content


def test_a_body_that_is_not_json_names_no_field(controller):
    response = api_as(controller).post(
        "/api/v1/communications/", "not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == ""
    assert "JSON parse error" in response.json()["errors"][0]["message"]
