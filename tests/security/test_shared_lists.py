"""Outcomes, status codes, action types and responses are shared by every company
(finding 9): a manager of one company must not edit or retire what another company's
records use. They are changed by administrators only, on the pages and by the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from communications.models import Outcome, StatusCode
from tests.conftest import api_as
from tests.factories import outcome, status_code

pytestmark = pytest.mark.django_db


def test_a_manager_cannot_change_the_shared_lists_by_the_api(outsider):
    code = status_code("QRY")
    client = api_as(outsider)  # a manager of the other company
    response = client.patch(f"/api/v1/status-codes/{code.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 403
    assert client.post("/api/v1/outcomes/", {"name": "Mine"}, format="json").status_code == 403
    code.refresh_from_db()
    assert code.is_active and not Outcome.objects.filter(name="Mine").exists()


def test_a_manager_cannot_change_the_shared_lists_on_the_pages(client, outsider):
    item = outcome("Left a message")
    client.force_login(outsider)
    url = reverse("communications:settings-item-edit", args=["outcomes", item.pk])
    response = client.post(url, {"name": "Hijacked", "sort_order": 1})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.name == "Left a message"
    assert client.get(reverse("communications:settings-list", args=["outcomes"])).status_code == 200


def test_an_administrator_changes_them(administrator):
    code = status_code("COPY")
    response = api_as(administrator).patch(f"/api/v1/status-codes/{code.pk}/",
                                           {"description": "Copy sent"}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert StatusCode.objects.get(pk=code.pk).description == "Copy sent"
