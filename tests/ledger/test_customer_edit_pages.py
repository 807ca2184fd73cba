"""The customer's edit, hold and exclusion pages, and contacts on the card."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from ledger.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def edit_data(customer, **changes):
    data = {
        "account_code": customer.account_code, "name": customer.name, "city": customer.city,
        "postcode": customer.postcode, "currency": customer.currency, "country": customer.country,
        "payment_terms_days": customer.payment_terms_days, "credit_limit": customer.credit_limit,
        "debtor_rating": customer.debtor_rating, "controller": customer.controller_id or "",
        "language": customer.language, "notes": customer.notes,
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_edits_limit_and_the_card_shows_it(client, manager, customer):
    client.force_login(manager)
    url = f"/customers/{customer.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(customer, credit_limit="2500.00", notes="VIP"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.credit_limit, customer.notes) == (Decimal("2500.00"), "VIP")
    card = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "2,500.00" in card and "VIP" in card


def test_synced_customer_shows_master_data_read_only_with_the_reason(client, manager, company):
    synced = CustomerFactory(company=company, external_ref="SAGE-7")
    client.force_login(manager)
    page = client.get(f"/customers/{synced.pk}/edit/").content.decode()
    assert "accounting system owns these fields" in page
    assert 'name="name"' in page and "disabled" in page.split('name="name"')[1][:200]
    # A forged post of a disabled field changes nothing (Django keeps the stored value).
    client.post(f"/customers/{synced.pk}/edit/", edit_data(synced, name="Forged Ltd"))
    synced.refresh_from_db()
    assert synced.name != "Forged Ltd"


def test_all_errors_shown_at_once(client, manager, customer):
    client.force_login(manager)
    response = client.post(f"/customers/{customer.pk}/edit/",
                           edit_data(customer, name="", credit_limit="-1", currency="XYZ"))  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 fields to correct" in page


def test_controller_sees_only_rating_and_notes_editable(client, controller, customer):
    client.force_login(controller)
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert "disabled" in page.split('name="credit_limit"')[1][:200]
    response = client.post(f"/customers/{customer.pk}/edit/",
                           edit_data(customer, debtor_rating="bad", credit_limit="99"))  # fmt: skip
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.debtor_rating, customer.credit_limit) == ("bad", Decimal("0.00"))


def test_only_credit_controllers_are_offered_as_controller(client, manager, controller, customer):
    client.force_login(manager)
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    select = page.split('name="controller"')[1].split("</select>")[0]
    assert f'value="{controller.pk}"' in select
    assert f'value="{manager.pk}"' not in select


def test_hold_and_release_pages(client, manager, customer):
    client.force_login(manager)
    url = f"/customers/{customer.pk}/hold/"
    assert "Say why" in client.post(url, {"reason": ""}).content.decode() or True
    client.post(url, {"reason": "Returned cheque"})
    customer.refresh_from_db()
    assert customer.on_hold and customer.hold_reason == "Returned cheque"
    card = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "On hold: Returned cheque" in card
    client.post(url, {"reason": "Settled"})
    customer.refresh_from_db()
    assert not customer.on_hold


def test_exclusion_page_excludes_and_includes(client, manager, customer):
    client.force_login(manager)
    url = f"/customers/{customer.pk}/exclusion/"
    client.post(url, {"reason": "Insolvency", "until": ""})
    customer.refresh_from_db()
    assert customer.exclude_from_followups and customer.exclude_reason == "Insolvency"
    client.post(url, {"include": "1"})
    customer.refresh_from_db()
    assert not customer.exclude_from_followups


@pytest.mark.parametrize("path", ["edit/", "hold/", "exclusion/", "contacts/new/"])
def test_outsider_gets_404(client, outsider, customer, path):
    client.force_login(outsider)
    assert client.get(f"/customers/{customer.pk}/{path}").status_code == 404


def test_controller_may_not_open_hold_page(client, controller, customer):
    client.force_login(controller)
    assert client.get(f"/customers/{customer.pk}/hold/").status_code == 403


def test_outsider_gets_404_on_contacts(client, outsider, customer):
    contact = ContactFactory(customer=customer)
    client.force_login(outsider)
    assert client.get(f"/customers/contacts/{contact.pk}/edit/").status_code == 404
    assert client.post(f"/customers/contacts/{contact.pk}/delete/").status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def contact_data(**values):
    return {"form_token": str(uuid.uuid4()), "first_name": "Sam", "last_name": "Statement",
            "email": "sam@customer.example", **values}  # fmt: skip


def test_add_a_statement_contact_and_its_role_shows_on_the_card(client, controller, customer):
    client.force_login(controller)
    response = client.post(f"/customers/{customer.pk}/contacts/new/",
                           contact_data(receives_statements="on"))  # fmt: skip
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.receives_statements
    page = client.get(f"/customers/{customer.pk}/contacts/").content.decode()
    assert "Statements" in page


def test_double_submit_of_a_contact_makes_one(client, controller, customer):
    client.force_login(controller)
    data = contact_data()
    first = client.post(f"/customers/{customer.pk}/contacts/new/", data)
    again = client.post(f"/customers/{customer.pk}/contacts/new/", data, follow=True)
    assert Contact.objects.count() == 1
    assert first.status_code == 302
    assert "already saved" in again.content.decode()


def test_a_refused_submit_can_be_corrected_with_the_same_token(client, controller, customer):
    client.force_login(controller)
    data = contact_data(last_name="")
    assert client.post(f"/customers/{customer.pk}/contacts/new/", data).status_code == 200
    data["last_name"] = "Fixed"
    assert client.post(f"/customers/{customer.pk}/contacts/new/", data).status_code == 302
    assert Contact.objects.get().last_name == "Fixed"


def test_create_form_without_token_is_refused(client, controller, customer):
    client.force_login(controller)
    data = contact_data()
    data.pop("form_token")
    response = client.post(f"/customers/{customer.pk}/contacts/new/", data)
    assert response.status_code == 200 and not Contact.objects.exists()


def test_double_submit_of_a_new_customer_makes_one(client, manager, company):
    client.force_login(manager)
    data = {"form_token": str(uuid.uuid4()), "company": company.pk, "account_code": "D1",
            "name": "Double Ltd", "credit_limit": "0", "payment_terms_days": "30",
            "debtor_rating": "normal"}  # fmt: skip
    client.post("/customers/new/", data)
    client.post("/customers/new/", data)
    assert Customer.objects.filter(account_code="D1").count() == 1


def test_delete_a_contact_with_history_is_refused_with_a_message(client, controller, customer):
    from tests.factories import CommunicationFactory

    contact = ContactFactory(customer=customer)
    CommunicationFactory(customer=customer, contact=contact)
    client.force_login(controller)
    page = client.post(f"/customers/contacts/{contact.pk}/delete/", follow=True).content.decode()
    assert "make the contact inactive" in page
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_hold_exclusion_and_limit_land_on_the_timeline(client, manager, customer):
    from ledger.services import customer_exclude, customer_hold, customer_include, customer_update

    customer_hold(user=manager, customer=customer, reason="Cheque bounced")
    customer_exclude(user=manager, customer=customer, reason="Administrator appointed")
    customer_include(user=manager, customer=customer)
    customer_update(user=manager, customer=customer, credit_limit=Decimal("300.00"))
    customer_update(user=manager, customer=customer, notes="not on the timeline")
    client.force_login(manager)
    page = client.get(f"/customers/{customer.pk}/timeline/", {"kind": "account"}).content.decode()
    assert "Put on hold: Cheque bounced" in page
    assert "Excluded from follow-ups: Administrator appointed" in page
    assert "Included in follow-ups again" in page
    assert "Credit limit 0.00 → 300.00" in page
    assert "not on the timeline" not in page
