"""The manager's settings lists: outcomes, status codes, call action types, responses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from communications.models import ActionType, CustomerResponse, Outcome, StatusCode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KINDS = ["outcomes", "status-codes", "action-types", "responses"]


def list_url(kind: str) -> str:
    return reverse("communications:settings-list", args=[kind])


def create_url(kind: str) -> str:
    return reverse("communications:settings-item-create", args=[kind])


def edit_url(kind: str, pk: int) -> str:
    return reverse("communications:settings-item-edit", args=[kind, pk])


@pytest.mark.parametrize("kind", KINDS)
def test_controller_is_refused_every_settings_list(client, controller, kind):
    client.force_login(controller)
    outcome = Outcome.objects.first()
    assert client.get(list_url(kind)).status_code == 403
    assert client.get(create_url(kind)).status_code == 403
    assert client.post(create_url(kind), {"name": "Sneaky"}).status_code == 403
    assert client.get(edit_url(kind, outcome.pk)).status_code == 403
    assert not Outcome.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_integrator_and_user_without_role_are_refused(client, integrator, kind):
    client.force_login(integrator)
    assert client.get(list_url(kind)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(list_url(kind)).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(list_url("outcomes"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("user_fixture", ["manager", "administrator", "outsider"])
def test_any_manager_sees_the_installation_wide_lists(client, request, user_fixture):
    """The lists are shared by every company, so a manager of any company maintains them."""
    client.force_login(request.getfixturevalue(user_fixture))
    assert "Payment promised" in client.get(list_url("outcomes")).content.decode()
    assert "Queried by the customer" in client.get(list_url("status-codes")).content.decode()
    assert "Partial dispute" in client.get(list_url("action-types")).content.decode()
    assert "Agreed to pay" in client.get(list_url("responses")).content.decode()


def test_unknown_list_is_not_found(client, manager, administrator):
    client.force_login(manager)
    assert client.get(list_url("colours")).status_code == 404
    client.force_login(administrator)
    assert client.get(edit_url("outcomes", 999999)).status_code == 404


def test_list_page_explains_why_nothing_is_deleted(client, manager):
    client.force_login(manager)
    html = client.get(list_url("responses")).content.decode()
    assert "never deleted" in html and "active" in html
    assert "Delete" not in html


def test_administrator_adds_an_outcome(client, administrator):
    client.force_login(administrator)
    response = client.post(create_url("outcomes"), {"name": "Sent remittance advice",
                                                    "creates_promise": "on", "sort_order": 5,
                                                    "is_active": "on"})  # fmt: skip
    assert response["Location"] == list_url("outcomes")
    outcome = Outcome.objects.get(name="Sent remittance advice")
    assert outcome.creates_promise and outcome.is_active and outcome.sort_order == 5


def test_duplicate_outcome_name_is_refused_on_the_form(client, administrator):
    client.force_login(administrator)
    before = Outcome.objects.count()
    response = client.post(create_url("outcomes"), {"name": "No answer", "sort_order": 1})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Outcome with this Name already exists." in html
    assert Outcome.objects.count() == before


def test_status_code_promised_and_queried_at_once_is_refused(client, administrator):
    client.force_login(administrator)
    response = client.post(create_url("status-codes"), {
        "code": "BOTH", "description": "Confused", "is_promised": "on", "is_queried": "on",
        "sort_order": 1, "is_active": "on"})  # fmt: skip
    html = response.content.decode()
    assert "A status code is promised or queried, not both." in html
    assert 'value="Confused"' in html
    assert not StatusCode.objects.filter(code="BOTH").exists()


def test_status_code_duplicate_code_is_refused(client, administrator):
    client.force_login(administrator)
    response = client.post(create_url("status-codes"), {
        "code": "QRY", "description": "Again", "sort_order": 1})  # fmt: skip
    assert "Status code with this Code already exists." in response.content.decode()


def test_owner_default_only_for_queried_codes(client, administrator):
    client.force_login(administrator)
    response = client.post(
        create_url("status-codes"),
        {"code": "ODD", "description": "Odd", "owner_defaults_to_user": "on", "sort_order": 1},
    )
    assert "Only a queried code has a resolution owner." in response.content.decode()
    assert not StatusCode.objects.filter(code="ODD").exists()


def test_administrator_adds_a_queried_status_code(client, administrator):
    client.force_login(administrator)
    client.post(create_url("status-codes"), {
        "code": "PRICE", "description": "Price query", "is_queried": "on",
        "owner_defaults_to_user": "on", "sort_order": 60, "is_active": "on"})  # fmt: skip
    code = StatusCode.objects.get(code="PRICE")
    assert code.is_queried and code.owner_defaults_to_user and not code.is_promised


def test_administrator_adds_an_action_type_with_a_behaviour(client, administrator):
    client.force_login(administrator)
    client.post(create_url("action-types"), {"name": "Escalate to director",
                                             "behaviour": "alert", "sort_order": 80,
                                             "is_active": "on"})  # fmt: skip
    assert ActionType.objects.get(name="Escalate to director").behaviour == "alert"
    html = client.get(list_url("action-types")).content.decode()
    assert "Alert the customer&#x27;s managers" in html


def test_administrator_renames_and_retires_a_response(client, administrator):
    response_item = CustomerResponse.objects.get(name="No response")
    client.force_login(administrator)
    html = client.get(edit_url("responses", response_item.pk)).content.decode()
    assert 'value="No response"' in html
    client.post(edit_url("responses", response_item.pk), {"name": "No reply", "sort_order": 70})
    response_item.refresh_from_db()
    assert response_item.name == "No reply" and not response_item.is_active
    html = client.get(list_url("responses")).content.decode()
    assert "No reply" in html and "Retired" in html


def test_settings_page_links_the_lists_for_managers_only(client, manager, controller):
    client.force_login(manager)
    html = client.get(reverse("settings")).content.decode()
    for kind in KINDS:
        assert list_url(kind) in html
    client.force_login(controller)
    html = client.get(reverse("settings")).content.decode()
    assert list_url("outcomes") not in html
