"""Taking in one email: matched to its customer, recorded once, and what it sets going.

``inbound_take(raw, source)``:
1. Parse it; a Message-ID taken before returns the first record (the unique index also
   settles two workers racing on one message).
2. Match the customer: the reply address ``credit+<code>@domain`` among its recipients,
   else its In-Reply-To / References against the Message-IDs we sent (the outbox), else
   the sender among the contacts (active ones first), else the customers' own addresses.
3. A bounce marks the failed addresses' contacts ``email_bounced_at`` (and nothing else).
4. A reply or automatic reply is recorded as an "email received" communication (its text,
   the attachments kept through the storage API and named in the notes).
5. A reply (not an automatic one) puts a "Reply received" to-do on the controller's list,
   which pauses chasing of the customer while it is open when the plan says so
   (``FollowUpPlan.pause_on_reply``, default on; the engine excludes customers with
   ``ToDo.objects.replies_unhandled()``); and tells integrators (``reply.received``).
"""

from __future__ import annotations

import logging
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communications.links import customer_by_reply_address
from communications.models import Communication, CommunicationType, ContactType, ToDoKind
from communications.services import customer_balance_lcy
from communications.todos import person_for, todo_create
from events.models import EventKind
from events.services import event_emit
from followups.models import OutboxMessage
from ledger.models import Company, Contact, Customer

from .models import InboundAttachment, InboundMessage
from .parsing import Parsed, parse

logger = logging.getLogger(__name__)
Kind = InboundMessage.Kind
MatchedBy = InboundMessage.MatchedBy
SOURCE = "email"


def match(parsed: Parsed) -> tuple[Customer | None, str, Contact | None]:
    """Step 2: the customer, how it was found, and the sender's contact if known."""
    customer, how = None, MatchedBy.NONE
    for address in parsed.recipients:
        customer = customer_by_reply_address(address)
        if customer is not None:
            how = MatchedBy.REPLY_ADDRESS
            break
    if customer is None and (parsed.in_reply_to or parsed.references):
        sent = (OutboxMessage.objects.filter(message_id__in=parsed.in_reply_to + parsed.references)
                .exclude(message_id="").select_related("customer__company").first())  # fmt: skip
        if sent is not None:
            customer, how = sent.customer, MatchedBy.THREAD
    contacts = Contact.objects.filter(email__iexact=parsed.sender).select_related(
        "customer__company").order_by("-is_active", "-is_credit_contact", "id") if parsed.sender else Contact.objects.none()  # fmt: skip
    contact = contacts.filter(customer=customer).first() if customer else contacts.first()
    if customer is None and contact is not None:
        customer, how = contact.customer, MatchedBy.SENDER
    if customer is None and parsed.sender:
        customer = Customer.objects.filter(email__iexact=parsed.sender).select_related(
            "company").first()  # fmt: skip
        how = MatchedBy.SENDER if customer else MatchedBy.NONE
    return customer, how, contact


def _bounce(parsed: Parsed) -> list[Contact]:
    now = timezone.now()
    query = Q()
    for address in parsed.failed_recipients:
        query |= Q(email__iexact=address)
    if not parsed.failed_recipients:
        return []
    contacts = list(Contact.objects.filter(query))
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(email_bounced_at=now)
    return contacts


def _attachments(message: InboundMessage, parsed: Parsed) -> None:
    """Keep each attachment through the storage API (unmatched messages too: the person who
    assigns one reads them first)."""
    for name, ctype, data in parsed.attachments:
        a = InboundAttachment(message=message, filename=name, content_type=ctype, size=len(data))
        a.file.save(name, ContentFile(data), save=False)
        a.save()


def reply_record(message: InboundMessage, customer: Customer, contact: Any) -> None:
    """Steps 4 and 5 for a reply or automatic reply, matched or assigned by hand."""
    person = person_for(customer)
    kept = [(a.filename, reverse("inbound-attachment", args=[a.pk]))
            for a in message.attachments.order_by("pk")]  # fmt: skip
    notes = message.text
    if kept:
        notes += "\n\n" + _("Attachments:") + "\n" + "\n".join(f"{n}: {url}" for n, url in kept)
    now = timezone.now()
    label = _("Automatic reply") if message.automatic else _("Email received")
    sender = message.sender
    c = Communication.objects.create(
        company_id=customer.company_id, customer=customer,
        communication_type=CommunicationType.CORRESPONDENCE,
        contact_type=ContactType.EMAIL_RECEIVED,
        subject=(message.subject or f"{label} {_('from')} {sender}")[:200], occurred_at=now,
        our_contact=person, contact=contact if contact and contact.customer_id == customer.pk
        else None, contact_email=sender if "@" in sender else "", notes=notes,
        balance_lcy=customer_balance_lcy(customer), completed_at=now, source=SOURCE,
    )  # fmt: skip
    message.communication = c
    if not message.automatic:
        message.todo = todo_create(
            user=person, customer=customer, owner=person, kind=ToDoKind.REPLY,
            description=_("Read the reply from %(sender)s: %(subject)s")
            % {"sender": sender or customer.name, "subject": message.subject},
            due_on=customer.company.today(), communication=c, source=SOURCE,
        )  # fmt: skip
        event_emit(kind=EventKind.REPLY_RECEIVED, company_id=customer.company_id,
                   customer_id=customer.pk, communication=c.pk, sender=sender,
                   subject=message.subject, message_id=message.message_id,
                   attachments=[name for name, _url in kept])  # fmt: skip
    message.save(update_fields=["communication", "todo"])


def inbound_take(raw: bytes, *, source: str) -> tuple[InboundMessage, bool]:
    """Take one raw email; returns its record and whether it was new (see the module)."""
    parsed = parse(raw)
    existing = InboundMessage.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _take(parsed, source), True
    except IntegrityError:
        return InboundMessage.objects.get(message_id=parsed.message_id), False


def _company_of_unmatched(parsed: Parsed) -> Company | None:
    """The company an unmatched message was written to: the one whose own address is among
    its recipients, else the only company installed; else nobody can tell (None)."""
    if parsed.recipients:
        named = list(Company.objects.filter(
            reduce(or_, (Q(email__iexact=a) for a in parsed.recipients))).exclude(email="")[:2])  # fmt: skip
        if len(named) == 1:
            return named[0]
    only = list(Company.objects.all()[:2])
    return only[0] if len(only) == 1 else None


def _take(parsed: Parsed, source: str) -> InboundMessage:
    customer, how, contact = match(parsed)
    if parsed.is_bounce:
        kind = Kind.BOUNCE
    elif customer is None:
        kind = Kind.UNMATCHED
    else:
        kind = Kind.AUTO_REPLY if parsed.is_auto else Kind.REPLY
    company = customer.company if customer else None
    if kind == Kind.UNMATCHED:
        company = _company_of_unmatched(parsed)
    message = InboundMessage.objects.create(
        message_id=parsed.message_id, company=company, customer=customer, kind=kind,
        matched_by=how, source=source, sender=parsed.sender, subject=parsed.subject,
        text=parsed.text, automatic=parsed.is_auto,
        recipients=", ".join(parsed.recipients)[:1000],
    )  # fmt: skip
    if kind == Kind.BOUNCE:
        bounced = _bounce(parsed)
        if bounced:
            message.bounced_contact = bounced[0]
            message.save(update_fields=["bounced_contact"])
        return message
    _attachments(message, parsed)
    if kind in (Kind.REPLY, Kind.AUTO_REPLY):
        try:
            with transaction.atomic():
                reply_record(message, customer, contact)
        except ValidationError as error:  # no controller nor manager to hand it to
            logger.warning("Reply %s of %s kept without a communication: %s",
                           parsed.message_id, customer, " ".join(error.messages))  # fmt: skip
    return message
