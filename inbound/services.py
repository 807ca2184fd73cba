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
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communications.links import customer_by_reply_address
from communications.models import Communication, CommunicationType, ContactType, ToDoKind
from communications.services import customer_balance_lcy
from communications.todos import person_for, todo_create
from events.models import EventKind
from events.services import event_emit
from followups.models import OutboxMessage
from ledger.models import Contact, Customer

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


def _attachments(message: InboundMessage, parsed: Parsed) -> list[tuple[str, str]]:
    """Keep each attachment; its name and the page that serves it (to those who may see the
    customer)."""
    kept = []
    for name, ctype, data in parsed.attachments:
        a = InboundAttachment(message=message, filename=name, content_type=ctype, size=len(data))
        a.file.save(name, ContentFile(data), save=False)
        a.save()
        kept.append((name, reverse("inbound-attachment", args=[a.pk])))
    return kept


def _record(message: InboundMessage, parsed: Parsed, customer: Customer, contact: Any,
            kind: str) -> None:  # fmt: skip
    """Steps 4 and 5 for a matched reply or automatic reply."""
    person = person_for(customer)
    kept = _attachments(message, parsed)
    names = [name for name, _url in kept]
    notes = parsed.text
    if kept:
        notes += "\n\nAttachments:\n" + "\n".join(f"{name}: {url}" for name, url in kept)
    now = timezone.now()
    label = "Automatic reply" if kind == Kind.AUTO_REPLY else "Email received"
    c = Communication.objects.create(
        company_id=customer.company_id, customer=customer,
        communication_type=CommunicationType.CORRESPONDENCE,
        contact_type=ContactType.EMAIL_RECEIVED,
        subject=(parsed.subject or f"{label} from {parsed.sender}")[:200], occurred_at=now,
        our_contact=person, contact=contact if contact and contact.customer_id == customer.pk
        else None, contact_email=parsed.sender if "@" in parsed.sender else "", notes=notes,
        balance_lcy=customer_balance_lcy(customer), completed_at=now, source=SOURCE,
    )  # fmt: skip
    message.communication = c
    if kind == Kind.REPLY:
        message.todo = todo_create(
            user=person, customer=customer, owner=person, kind=ToDoKind.REPLY,
            description=f"Read the reply from {parsed.sender or customer.name}: "
                        f"{parsed.subject}"[:300],
            due_on=customer.company.today(), communication=c, source=SOURCE,
        )  # fmt: skip
        event_emit(kind=EventKind.REPLY_RECEIVED, company_id=customer.company_id,
                   customer_id=customer.pk, communication=c.pk, sender=parsed.sender,
                   subject=parsed.subject, message_id=parsed.message_id,
                   attachments=names)  # fmt: skip
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


def _take(parsed: Parsed, source: str) -> InboundMessage:
    customer, how, contact = match(parsed)
    if parsed.is_bounce:
        kind = Kind.BOUNCE
    elif customer is None:
        kind = Kind.UNMATCHED
    else:
        kind = Kind.AUTO_REPLY if parsed.is_auto else Kind.REPLY
    message = InboundMessage.objects.create(
        message_id=parsed.message_id, company_id=customer.company_id if customer else None,
        customer=customer, kind=kind, matched_by=how, source=source, sender=parsed.sender,
        subject=parsed.subject, text=parsed.text,
    )  # fmt: skip
    if kind == Kind.BOUNCE:
        bounced = _bounce(parsed)
        if bounced:
            message.bounced_contact = bounced[0]
            message.save(update_fields=["bounced_contact"])
    elif kind in (Kind.REPLY, Kind.AUTO_REPLY):
        try:
            with transaction.atomic():
                _record(message, parsed, customer, contact, kind)
        except ValidationError as error:  # no controller nor manager to hand it to
            logger.warning("Reply %s of %s kept without a communication: %s",
                           parsed.message_id, customer, " ".join(error.messages))  # fmt: skip
    return message
