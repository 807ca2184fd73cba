"""Create forms of the workbench against a double submit and Back-then-Save: the second
post of the same form makes nothing and goes to what the first made."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.urls import reverse

from communications.models import Communication, ToDo
from tests.communications.test_communication_pages import create_url, form_data

pytestmark = pytest.mark.django_db


def token_in(html: str) -> str:
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', html).group(1)


@time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False)
def test_communication_posted_twice_is_recorded_once(client, controller, customer):
    client.force_login(controller)
    token = token_in(client.get(create_url(customer)).content.decode())
    data = form_data(our_contact=controller.pk, form_token=token)
    first = client.post(create_url(customer), data)
    second = client.post(create_url(customer), data)
    assert Communication.objects.count() == 1
    assert first["Location"] == second["Location"]


@time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False)
def test_each_showing_of_the_form_has_its_own_token(client, controller, customer):
    client.force_login(controller)
    a = token_in(client.get(create_url(customer)).content.decode())
    b = token_in(client.get(create_url(customer)).content.decode())
    assert a != b


@time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False)
def test_todo_posted_twice_is_made_once(client, controller, customer):
    client.force_login(controller)
    url = reverse("communications:todo-create") + f"?customer={customer.pk}"
    data = {"form_token": str(uuid.uuid4()), "description": "Ring back", "due_on": "2026-03-12",
            "owner": controller.pk, "notes": ""}  # fmt: skip
    client.post(url, data)
    client.post(url, data)
    assert ToDo.objects.filter(description="Ring back").count() == 1


@time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False)
def test_a_token_of_another_user_is_not_theirs(client, controller, manager, customer):
    client.force_login(controller)
    token = str(uuid.uuid4())
    client.post(create_url(customer), form_data(our_contact=controller.pk, form_token=token))
    client.force_login(manager)
    response = client.post(create_url(customer),
                           form_data(our_contact=manager.pk, form_token=token))  # fmt: skip
    # The token is used: nothing more is made, and the manager is sent to the list.
    assert Communication.objects.count() == 1
    assert response.status_code == 302
