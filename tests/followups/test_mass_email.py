"""Mass email from the customer list: placeholders per contact, the outbox once per
recipient, a communication per customer, unreachable customers listed."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import Communication
from followups.mass_email import mass_email_fill, mass_email_send
from followups.models import OutboxMessage
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = 'Dear "First Name" "Last Name",\n\nOur offices close on 24 December. “First Name”, thanks.'
COMPOSE = "/mass-email/"


@pytest.fixture
def audience(company):
    ann = ContactFactory(customer=CustomerFactory(company=company, name="Anchor Ltd"),
                         first_name="Ann", last_name="Lee", email="ann@anchor.example",
                         is_credit_contact=True)  # fmt: skip
    bob = ContactFactory(customer=CustomerFactory(company=company, name="Bolt Ltd"),
                         first_name="Bob", last_name="Kay", email="bob@bolt.example",
                         is_credit_contact=True)  # fmt: skip
    # A contact who is not the credit-control contact gets nothing.
    ContactFactory(customer=bob.customer, first_name="Zed", email="zed@bolt.example")
    nobody = CustomerFactory(company=company, name="No Contact Ltd")
    silent = ContactFactory(customer=CustomerFactory(company=company, name="No Email Ltd"),
                            first_name="Sam", last_name="Dee", email="",
                            is_credit_contact=True)  # fmt: skip
    return ann, bob, nobody, silent.customer


def customers_of(audience) -> list:
    ann, bob, nobody, silent = audience
    return [ann.customer, bob.customer, nobody, silent]


def test_placeholders_are_filled_per_contact(controller, audience):
    batch = uuid.uuid4()
    result = mass_email_send(user=controller, batch=batch, customers=customers_of(audience),
                             subject='Closing days, "First Name"', body=BODY)  # fmt: skip
    assert [r.address for r in result.queued] == ["ann@anchor.example", "bob@bolt.example"]
    ann_message = OutboxMessage.objects.get(to=["ann@anchor.example"])
    assert ann_message.kind == "mass_email"
    assert ann_message.key == f"mass:{batch}:{audience[0].pk}"
    assert ann_message.subject == "Closing days, Ann"
    assert ann_message.body.startswith("Dear Ann Lee,")
    assert ann_message.body.endswith("Ann, thanks.")
    assert OutboxMessage.objects.get(to=["bob@bolt.example"]).body.startswith("Dear Bob Kay,")


def test_fill_leaves_unquoted_words_alone():
    contact = ContactFactory.build(first_name="Ann", last_name="Lee")
    assert mass_email_fill('First Name: "First Name"', contact) == "First Name: Ann"


def test_a_repeated_send_does_not_send_twice(controller, audience):
    batch = uuid.uuid4()
    for _ in range(2):
        result = mass_email_send(user=controller, batch=batch, customers=customers_of(audience),
                                 subject="Closing days", body=BODY)  # fmt: skip
    assert result.queued == []
    assert [r.address for r in result.already_sent] == ["ann@anchor.example", "bob@bolt.example"]
    assert OutboxMessage.objects.count() == 2
    assert Communication.objects.count() == 2
    mass_email_send(user=controller, batch=uuid.uuid4(), customers=customers_of(audience),
                    subject="Another", body=BODY)  # fmt: skip
    assert OutboxMessage.objects.count() == 4


def test_each_customer_gets_a_completed_communication(controller, audience):
    mass_email_send(user=controller, batch=uuid.uuid4(), customers=customers_of(audience),
                    subject='Hello "First Name"', body=BODY)  # fmt: skip
    c = Communication.objects.get(customer=audience[0].customer)
    assert (c.contact_type, c.communication_type, c.subject) == ("email_sent", "correspondence",
                                                                 "Hello Ann")  # fmt: skip
    assert c.completed_at is not None and c.contact == audience[0]
    assert OutboxMessage.objects.get(customer=audience[0].customer).communication == c


def test_customers_without_an_address_are_listed(controller, audience):
    result = mass_email_send(user=controller, batch=uuid.uuid4(), customers=customers_of(audience),
                             subject="Hi", body=BODY)  # fmt: skip
    reasons = {c.name: why for c, why in result.unreachable}
    assert reasons == {
        "No Contact Ltd": "no credit-control contact",
        "No Email Ltd": "the credit-control contact Sam Dee has no email address",
    }


def test_refused_without_subject_or_access(controller, outsider, audience):
    with pytest.raises(ValidationError):
        mass_email_send(user=controller, batch=uuid.uuid4(), customers=customers_of(audience),
                        subject=" ", body=BODY)  # fmt: skip
    with pytest.raises(PermissionDenied):
        mass_email_send(user=outsider, batch=uuid.uuid4(), customers=customers_of(audience),
                        subject="Hi", body=BODY)  # fmt: skip
    assert not OutboxMessage.objects.exists()


def test_compose_preview_send_and_resend_in_the_browser_pages(client, controller, audience):
    client.force_login(controller)
    ids = [c.pk for c in customers_of(audience)]
    compose = client.post(COMPOSE, {"action": "email", "ids": ids})
    html = compose.content.decode()
    assert "ann@anchor.example" in html and "bob@bolt.example" in html
    assert "zed@bolt.example" not in html
    assert "No Contact Ltd" in html and "No Email Ltd" in html  # listed, not skipped silently
    batch = compose.context["form"]["batch"].value()
    preview = client.post("/mass-email/preview/", {"customers": ids, "subject": "Hi",
                          "body": BODY, "preview_for": audience[1].pk}).content.decode()  # fmt: skip
    assert "Dear Bob Kay," in preview
    sent = {"step": "send", "batch": batch, "customers": ids, "subject": "Hi", "body": BODY}
    first = client.post(COMPOSE, sent).content.decode()
    assert "2 emails queued" in first
    again = client.post(COMPOSE, sent).content.decode()
    assert "Nothing new to send" in again and "Already sent with this form (2)" in again
    assert OutboxMessage.objects.count() == 2


def test_compose_needs_a_role_that_works_customers(client, company, integrator, audience):
    client.force_login(UserFactory(companies=[company]))
    assert client.post(COMPOSE, {"ids": [audience[0].customer.pk]}).status_code == 403
    client.force_login(integrator)
    assert client.post(COMPOSE, {"ids": [audience[0].customer.pk]}).status_code == 403


def test_outsider_composes_to_nobody(client, outsider, audience):
    client.force_login(outsider)
    response = client.post(COMPOSE, {"step": "send", "batch": str(uuid.uuid4()),
                                     "customers": [audience[0].customer.pk], "subject": "Hi",
                                     "body": BODY})  # fmt: skip
    assert "ann@anchor.example" not in response.content.decode()
    assert not OutboxMessage.objects.exists()
