"""The messages nobody could match: a person assigns each to its customer, or discards it.

Decisions:
- An unmatched message belongs to the company it was written to (a recipient that is a
  company's own address, else the only company installed); with several companies and no
  such address, nobody can tell, and it is shown to the managers and administrators who
  are members of every company (``InboundMessage.objects.visible_to``).
- Assigning records it exactly as a matched reply would have been: an "email received"
  communication with its text and attachments, and — unless it was an automatic reply —
  a "Reply received" to-do that pauses chasing while open (the plan's option) and a
  ``reply.received`` webhook. The sender becomes the communication's contact when they are
  one of the customer's contacts. All of it in one transaction, or nothing.
- Discarding keeps the message (its Message-ID is still taken only once) under
  "Discarded", where it can still be assigned. Either is audited with who and when; a
  message assigned or discarded by someone else meanwhile is refused with a message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcontrol.roles import can_work_customers
from ledger.audit import audit_record
from ledger.models import AuditEvent, Contact, Customer

from .models import InboundMessage
from .services import reply_record

Kind = InboundMessage.Kind


def _check(user: Any, message: InboundMessage) -> None:
    if not can_work_customers(user):
        raise PermissionDenied(_("Only credit controllers and managers handle unmatched mail."))
    if not InboundMessage.objects.visible_to(user).filter(pk=message.pk).exists():
        raise PermissionDenied(_("You may not see this message."))


def customers_to_offer(user: Any, message: InboundMessage, query: str = "") -> QuerySet:
    """Customers the message may be assigned to: those the user sees in the message's
    company (any of theirs when it has none), by account code or name when ``query`` is
    given, else those with a contact or address at the sender's domain."""
    customers = Customer.objects.visible_to(user).select_related("company")
    if message.company_id:
        customers = customers.filter(company_id=message.company_id)
    query = query.strip()
    if query:
        found = customers.filter(Q(account_code__iexact=query) | Q(name__icontains=query))
    else:
        domain = message.sender.rpartition("@")[2]
        if not domain:
            return customers.none()
        at = "@" + domain
        found = customers.filter(
            Q(email__iendswith=at)
            | Q(pk__in=Contact.objects.filter(email__iendswith=at).values("customer_id"))
        )
    return found.order_by("name", "account_code")[:20]


@transaction.atomic
def inbound_assign(*, user: Any, message: InboundMessage, customer: Customer) -> InboundMessage:
    """Record an unmatched (or discarded) message as the customer's email received."""
    _check(user, message)
    if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You may not see this customer."))
    if message.company_id and message.company_id != customer.company_id:
        raise ValidationError(
            _("This message came to %(company)s: choose one of its customers.")
            % {"company": message.company}
        )
    now = timezone.now()
    kind = Kind.AUTO_REPLY if message.automatic else Kind.REPLY
    # The conditional update settles two people assigning the same message at once.
    taken = InboundMessage.objects.filter(pk=message.pk, kind=Kind.UNMATCHED).update(
        kind=kind, customer=customer, company=customer.company_id,
        matched_by=InboundMessage.MatchedBy.BY_HAND, handled_by=user, handled_at=now,
        discarded_at=None,
    )  # fmt: skip
    if not taken:
        raise ValidationError(_("Someone has already assigned this message to a customer."))
    message.refresh_from_db()
    contact = (
        Contact.objects.filter(customer=customer, email__iexact=message.sender)
        .order_by("-is_active", "-is_credit_contact", "id").first()
        if message.sender else None
    )  # fmt: skip
    reply_record(message, customer, contact)
    audit_record(user=user, obj=message, action=AuditEvent.Action.UPDATE,
                 before={"kind": Kind.UNMATCHED, "customer": None},
                 after={"kind": kind, "customer": customer.pk}, company_id=customer.company_id)  # fmt: skip
    return message


@transaction.atomic
def inbound_discard(*, user: Any, message: InboundMessage) -> None:
    """Set an unmatched message aside (spam, a mail for someone else); it stays listed under
    "Discarded" and can still be assigned."""
    _check(user, message)
    now = timezone.now()
    done = InboundMessage.objects.filter(
        pk=message.pk, kind=Kind.UNMATCHED, discarded_at__isnull=True
    ).update(discarded_at=now, handled_by=user, handled_at=now)
    if not done:
        raise ValidationError(_("This message has already been assigned or discarded."))
    if message.company_id:
        audit_record(user=user, obj=message, action=AuditEvent.Action.UPDATE,
                     before={"discarded": False}, after={"discarded": True},
                     company_id=message.company_id)  # fmt: skip
