"""Mass email from the customer list: one message to the credit-control contact of each
ticked customer, with ``"First Name"`` and ``"Last Name"`` (typed with their quotes)
filled in per contact, sent through the outbox and recorded as a communication.

A compose form carries a batch id (a UUID made when the form is shown). Each message's
outbox key is ``mass:<batch>:<contact id>``, so submitting the same form again — a double
click, a retry after a timeout, the API called twice — queues and records nothing twice.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _

from communications.models import CommunicationType, ContactType
from communications.services import communication_complete, communication_create
from creditcontrol.roles import can_work_customers
from creditcontrol.taskqueue import enqueue
from ledger.models import Company, Contact, Customer

from .models import OutboxMessage
from .outbox import outbox_enqueue

# What users type, with straight quotes or the curly ones a word processor puts in.
PLACEHOLDERS = {
    "first_name": ('"First Name"', "“First Name”"),
    "last_name": ('"Last Name"', "“Last Name”"),
}
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Recipient:
    """One customer's credit-control contact and the address the message goes to."""

    customer: Customer
    contact: Contact

    @property
    def address(self) -> str:
        return self.contact.email


@dataclass
class Audience:
    """Who a mass email reaches, and the customers it cannot reach, with the reason."""

    recipients: list[Recipient] = field(default_factory=list)
    unreachable: list[tuple[Customer, str]] = field(default_factory=list)


@dataclass
class MassEmailResult:
    batch: uuid.UUID
    queued: list[Recipient] = field(default_factory=list)
    already_sent: list[Recipient] = field(default_factory=list)
    unreachable: list[tuple[Customer, str]] = field(default_factory=list)


def message_key(batch: uuid.UUID | str, contact: Contact) -> str:
    return f"mass:{batch}:{contact.pk}"


def mass_email_fill(text: str, contact: Contact) -> str:
    """``text`` with the contact's first and last name in place of the placeholders."""
    for attribute, spellings in PLACEHOLDERS.items():
        for spelling in spellings:
            text = text.replace(spelling, getattr(contact, attribute))
    return text


def mass_email_audience(customers: list[Customer]) -> Audience:
    """The credit-control contact of each customer, in the customers' order; customers
    without one, or whose contact has no valid address, are listed as unreachable."""
    contacts = {
        c.customer_id: c
        for c in Contact.objects.filter(
            customer_id__in=[c.pk for c in customers], is_credit_contact=True
        )
    }
    audience = Audience()
    for customer in customers:
        contact = contacts.get(customer.pk)
        if contact is None:
            audience.unreachable.append((customer, "no credit-control contact"))
            continue
        if not contact.email:
            audience.unreachable.append(
                (customer, f"the credit-control contact {contact.full_name} has no email address")
            )
            continue
        try:
            validate_email(contact.email)
        except ValidationError:
            audience.unreachable.append((customer, f"“{contact.email}” is not an email address"))
            continue
        contact.customer = customer
        audience.recipients.append(Recipient(customer, contact))
    return audience


def _check(user: Any, customers: list[Customer], subject: str, body: str) -> None:
    company_ids = {c.company_id for c in customers}
    visible = set(
        Company.objects.visible_to(user).filter(pk__in=company_ids).values_list("pk", flat=True)
    )
    if visible != company_ids or not can_work_customers(user):
        raise PermissionDenied(_("Your role does not allow emailing these customers."))
    errors = {}
    if not customers:
        errors["customers"] = "Tick at least one customer."
    if not subject.strip():
        errors["subject"] = "Write a subject."
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = f"A subject has at most {MAX_SUBJECT} characters."
    elif "\r" in subject or "\n" in subject:
        errors["subject"] = "Keep the subject on one line: it cannot contain a line break."
    if not body.strip():
        errors["body"] = "Write the message."
    if errors:
        raise ValidationError(errors)


def _lock_batch(batch: uuid.UUID) -> None:
    """Two submits of one form at once: the second waits, then finds the first's messages."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself.
    digest = hashlib.blake2b(f"mass-email:{batch}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


@transaction.atomic
def mass_email_send(
    *, user: Any, batch: uuid.UUID, customers: list[Customer], subject: str, body: str,
    source: str = "web",
) -> MassEmailResult:  # fmt: skip
    """Queue one email per reachable customer and record it on the customer.

    1. Check access (controllers and managers of every company involved) and the texts.
    2. Lock the batch; find the credit-control contacts; messages of this batch already
       queued are reported, not queued again.
    3. For each new recipient: a completed "Email sent" communication with the filled
       text, and an outbox message keyed by batch and contact, in this transaction.
    4. Ask the worker to deliver once this commits (retries are the outbox's).
    """
    _check(user, customers, subject, body)
    _lock_batch(batch)
    audience = mass_email_audience(customers)
    result = MassEmailResult(batch=batch, unreachable=audience.unreachable)
    keys = {message_key(batch, r.contact): r for r in audience.recipients}
    done = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    for key, recipient in keys.items():
        if key in done:
            result.already_sent.append(recipient)
            continue
        customer, contact = recipient.customer, recipient.contact
        filled_subject = mass_email_fill(subject, contact)[:MAX_SUBJECT]
        filled_body = mass_email_fill(body, contact)
        communication = communication_create(
            user=user, customer=customer, source=source,
            communication_type=CommunicationType.CORRESPONDENCE,
            contact_type=ContactType.EMAIL_SENT, subject=filled_subject, contact=contact,
            contact_email=contact.email, notes=filled_body,
        )  # fmt: skip
        communication_complete(user=user, communication=communication, source=source)
        outbox_enqueue(
            company=customer.company, customer=customer, kind=OutboxMessage.Kind.MASS_EMAIL,
            key=key, to=[contact.email], subject=filled_subject, body=filled_body,
            as_of=customer.company.today(), communication=communication, user=user,
        )  # fmt: skip
        result.queued.append(recipient)
    if result.queued:
        from .tasks import deliver_outbox  # the tasks import the services

        enqueue(deliver_outbox, once=True)
    return result
