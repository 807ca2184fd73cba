"""Issue 13 §7: a label never says "(optional)" for a field that is then required.

Every form page of the workbench and the customer record is read as a person reads it: a
field whose label says "(optional)" must not be required by the page (no ``required``
attribute, no ``*``), and leaving every such field empty on the to-do forms, which use the
word, must still save (the services must not require what the page called optional).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from communications.models import ToDo
from tests.factories import CustomerFactory, EntryFactory, ToDoFactory

NOON_UTC = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
_LABEL = re.compile(r'<label\b[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', re.DOTALL)


def optional_fields(html: str) -> dict[str, str]:
    """The ids of the inputs whose label says "(optional)", with the label's text."""
    return {
        target: re.sub(r"<[^>]+>", "", text).strip()
        for target, text in _LABEL.findall(html)
        if "(optional)" in text
    }


def input_tag(html: str, element_id: str) -> str:
    pattern = r"<(input|select|textarea)\b[^>]*\bid=\"" + re.escape(element_id) + r"\"[^>]*>"
    match = re.search(pattern, html)
    assert match, f"no input {element_id}"
    return match.group(0)


def assert_optional_means_optional(html: str) -> None:
    for element_id, label in optional_fields(html).items():
        assert not re.search(r"\brequired\b", input_tag(html, element_id)), label
        assert "*" not in label, label


@pytest.fixture
def world(company, controller, manager):
    customer = CustomerFactory(company=company, account_code="OPT1")  # no controller
    entry = EntryFactory(customer=customer, document_date=dt.date(2026, 2, 1),
                         due_date=dt.date(2026, 3, 1))  # fmt: skip
    todo = ToDoFactory(customer=customer, owner=controller, due_on=dt.date(2026, 3, 12))
    return {"customer": customer, "entry": entry, "todo": todo}


@time_machine.travel(NOON_UTC, tick=False)
def test_no_form_page_calls_a_required_field_optional(client, manager, world):
    customer, entry = world["customer"], world["entry"]
    pages = [
        reverse("communications:todo-create"),
        reverse("communications:todo-create") + f"?customer={customer.pk}",
        reverse("communications:todo-detail", args=[world["todo"].pk]),
        reverse("communications:communication-create", args=[customer.pk]),
        reverse("communications:dispute-edit", args=[entry.pk]),
        reverse("communications:entries-update", args=[customer.pk]) + f"?entries={entry.pk}",
        reverse("ledger:customer-edit", args=[customer.pk]),
        reverse("ledger:customer-hold", args=[customer.pk]),
        reverse("ledger:customer-exclusion", args=[customer.pk]),
        reverse("ledger:contact-create", args=[customer.pk]),
        reverse("ledger:customer-create"),
    ]
    client.force_login(manager)
    seen_optional = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_optional_means_optional(html)
        seen_optional += len(optional_fields(html))
    assert seen_optional  # the to-do forms do say it: the check above had work to do


@time_machine.travel(NOON_UTC, tick=False)
@pytest.mark.parametrize("with_customer", [True, False])
def test_a_todo_saves_with_every_optional_field_left_empty(
    client, controller, world, with_customer
):
    """The customer has no controller and the owner is left empty: the to-do goes to the
    person creating it rather than refusing a field the page called optional."""
    customer = world["customer"]
    url = reverse("communications:todo-create")
    url += f"?customer={customer.pk}" if with_customer else ""
    client.force_login(controller)
    html = client.get(url).content.decode()
    empty = {name: "" for name in optional_fields(html)}
    names = {re.search(r'name="([^"]+)"', input_tag(html, i)).group(1): v for i, v in empty.items()}
    assert "owner" in names and "notes" in names
    data = {"description": "Ask for remittance", "due_on": "2026-03-12", **names}
    if not with_customer:
        data["account_code"] = "OPT1"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    todo = ToDo.objects.get(description="Ask for remittance")
    assert todo.customer == customer and todo.owner == controller
