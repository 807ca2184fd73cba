"""The customer record through the API: the same rules as the pages (one service)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.models import AuditEvent
from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def url(customer, action=""):
    return f"/api/v1/customers/{customer.pk}/" + (f"{action}/" if action else "")


def test_hold_and_release_by_api_are_readable_by_integrators(manager, integrator, customer):
    response = api_as(manager).post(
        url(customer, "hold"), {"reason": "Over 90 days"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = api_as(integrator).get(url(customer)).json()
    assert (body["on_hold"], body["hold_reason"], body["hold_changed_by"]) == (
        True, "Over 90 days", manager.pk)  # fmt: skip
    assert body["hold_changed_at"]
    released = api_as(manager).post(url(customer, "release"), {"reason": "Paid"}, format="json")
    assert released.json()["on_hold"] is False
    assert AuditEvent.objects.filter(model="ledger.customer", source="api").count() == 2


def test_hold_needs_a_reason(manager, customer):
    response = api_as(manager).post(url(customer, "hold"), {}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["controller", "integrator"])
def test_hold_is_refused_to_controllers_and_integrators(request, who, customer):
    user = request.getfixturevalue(who)
    response = api_as(user).post(url(customer, "hold"), {"reason": "x"}, format="json")
    assert response.status_code == 403
    customer.refresh_from_db()
    assert not customer.on_hold


def test_outsider_gets_404_on_hold_release_and_edit(outsider, customer):
    client = api_as(outsider)
    assert client.post(url(customer, "hold"), {"reason": "x"}, format="json").status_code == 404
    assert client.post(url(customer, "release"), {"reason": "x"}, format="json").status_code == 404
    assert client.patch(url(customer), {"notes": "x"}, format="json").status_code == 404


def test_on_hold_cannot_be_patched_round_the_action(manager, customer):
    api_as(manager).patch(url(customer), {"on_hold": True}, format="json")
    customer.refresh_from_db()
    assert not customer.on_hold


def test_controller_patches_rating_and_notes_only(controller, customer):
    client = api_as(controller)
    ok = client.patch(url(customer), {"debtor_rating": "bad", "notes": "Slow"}, format="json")
    assert ok.status_code == 200, ok.json()
    refused = client.patch(url(customer), {"credit_limit": "10.00"}, format="json")
    assert refused.status_code == 403


def test_synced_customer_master_data_refused_with_the_field_named(manager, company):
    synced = CustomerFactory(company=company, external_ref="BC-9")
    response = api_as(manager).patch(url(synced), {"name": "Local"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"] == "name" and "accounting system owns" in errors[0]["message"]
    ok = api_as(manager).patch(url(synced), {"credit_limit": "750.00", "exclude_reason": ""},
                               format="json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["credit_limit"] == "750.00"


def test_patch_is_audited_before_and_after(manager, customer):
    api_as(manager).patch(url(customer), {"credit_limit": "1234.00"}, format="json")
    event = AuditEvent.objects.get(model="ledger.customer")
    assert (event.before, event.after) == ({"credit_limit": "0.00"}, {"credit_limit": "1234.00"})


def test_bad_iso_codes_are_refused(manager, company):
    client = api_as(manager)
    for payload in ({"currency": "XYZ"}, {"country": "QQ"}, {"country": "Narnia"}):
        data = {"company": company.pk, "account_code": "Z1", "name": "Z", **payload}
        response = client.post("/api/v1/customers/", data, format="json")
        assert response.status_code == 400, payload


def test_over_limit_filter(manager, company):
    over = CustomerFactory(company=company, credit_limit=Decimal("10"))
    CustomerFactory(company=company, credit_limit=Decimal("1000"))
    from tests.factories import EntryFactory

    EntryFactory(customer=over, amount=Decimal("20"))
    body = api_as(manager).get("/api/v1/customers/", {"over_limit": "true"}).json()
    assert [c["id"] for c in body["results"]] == [over.pk]


def test_contact_roles_through_the_api(controller, customer):
    response = api_as(controller).post("/api/v1/contacts/", {
        "customer": customer.pk, "last_name": "Cc", "email": "cc@x.example",
        "copy_on_reminders": True, "receives_statements": True,
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["copy_on_reminders"] is True


def test_contact_with_history_delete_is_refused(controller, customer):
    from tests.factories import CommunicationFactory

    contact = ContactFactory(customer=customer)
    CommunicationFactory(customer=customer, contact=contact)
    response = api_as(controller).delete(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 400
    assert "inactive" in str(response.json())
