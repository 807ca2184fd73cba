"""Sending a customer statement by email from the customer card, whether or not the plan
proposes one: a line of follow-up history, a communication, and an outbox email that the
worker sends once with the statement PDF attached.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from communications.models import CommunicationType, ContactType
from communications.services import communication_complete, communication_create
from creditcontrol.roles import can_work_customers
from creditcontrol.taskqueue import enqueue
from creditcontrol.templatetags.ui import day
from ledger.models import Customer, LedgerEntry
from ledger.services import require_company

from .languages import STATEMENT_TEXTS, in_language
from .models import Channel, FollowUpAction, FollowUpActionEntry, OutboxMessage
from .outbox import outbox_enqueue
from .placeholders import CENT, credit_contact, email_recipients, fill
from .restage import customers_changed

STATEMENT_SUBJECT = "{company}: statement of account at {date}"
STATEMENT_BODY = (
    "Dear {contact},\n\nPlease find attached your statement of account with {company} at "
    "{date}. It lists every item open on your account: the balance is {total}, of which "
    "{overdue} is past its due date.\n\nIf anything on it is not as your records show, "
    "please reply to this email and we will look into it.\n\nKind regards,\n{controller}\n"
    "{company}"
)
MAX_RECIPIENTS = 10


def parse_recipients(to: str | Iterable[str] | None) -> list[str]:
    """Addresses typed as one string (commas, semicolons or spaces) or given as a list,
    each checked, duplicates dropped, order kept."""
    if to is None:
        return []
    parts = to.replace(";", ",").replace(" ", ",").split(",") if isinstance(to, str) else to
    addresses: list[str] = []
    bad: list[str] = []
    for part in parts:
        address = str(part).strip()
        if not address or address.lower() in (a.lower() for a in addresses):
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
        else:
            addresses.append(address)
    if bad:
        raise ValidationError(
            {
                "to": _("Not an email address: %(join_bad)s. Nothing was sent.")
                % {"join_bad": ", ".join(bad)}
            }
        )
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationError(
            {
                "to": _("Send a statement to at most %(MAX_RECIPIENTS)s addresses.")
                % {"MAX_RECIPIENTS": MAX_RECIPIENTS}
            }
        )
    return addresses


@transaction.atomic
def statement_send(
    *, user: Any, customer: Customer, to: str | Iterable[str] | None = None
) -> OutboxMessage:
    """Send the customer's statement of account by email.

    1. Check access; the recipients are ``to``, else the credit-control contact's address,
       else the customer's. With none, refuse: there is nowhere to send it.
    2. Record a communication (email sent; completed, as nothing is left to follow up) and
       a line of follow-up history (channel "statement") over the open items.
    3. Queue one outbox email, keyed by the history line, with the statement attached, and
       ask the worker to deliver once this commits: it prints the statement and sends it once.
    """
    require_company(user, customer.company, check=can_work_customers)
    recipients = parse_recipients(to) or email_recipients(customer)
    if not recipients:
        raise ValidationError(
            {"to": _('%(customer_name)s has no email address: add one to the customer or to its credit-control contact, or type the address to send the statement to.') % {'customer_name': customer.name}}
        )  # fmt: skip
    company = customer.company
    as_of = company.today()
    entries = list(LedgerEntry.objects.filter(customer=customer).open().order_by("due_date", "id"))
    balance = LedgerEntry.objects.filter(customer=customer).open().aggregate(t=Sum("remaining_lcy"))
    total_lcy = Decimal(balance["t"] or 0).quantize(CENT)
    contact = credit_contact(customer)
    addressed = ", ".join(recipients)

    communication = communication_create(
        user=user, customer=customer, communication_type=CommunicationType.CORRESPONDENCE,
        contact_type=ContactType.EMAIL_SENT, contact=contact,
        subject=_("Statement of account at %(day)s sent by email") % {"day": day(as_of)},
        notes=_("Statement sent to %(recipients)s.") % {"recipients": addressed},
    )  # fmt: skip
    communication_complete(user=user, communication=communication)
    action = FollowUpAction.objects.create(
        company=company, customer=customer, channel=Channel.STATEMENT, on=as_of, by=user,
        total_lcy=total_lcy, communication=communication,
        note=_("Sent to %(recipients)s.") % {"recipients": addressed},
    )  # fmt: skip
    FollowUpActionEntry.objects.bulk_create(
        FollowUpActionEntry(action=action, entry=e, remaining_lcy=e.remaining_lcy) for e in entries
    )
    # A statement counts as a reminder (the plan's minimum interval): the next run looks again.
    customers_changed(company_id=company.pk, customer_ids=[customer.pk])
    texts = {"customer": customer, "entries": entries, "as_of": as_of, "contact": contact,
             "controller": user}  # fmt: skip
    subject, body = STATEMENT_TEXTS.get(customer.document_language, STATEMENT_TEXTS["en"])
    with in_language(customer):
        subject, body = fill(subject, **texts)[:200], fill(body, **texts)
    message = outbox_enqueue(
        company=company, customer=customer, kind=OutboxMessage.Kind.EMAIL,
        key=f"statement:{action.pk}", to=recipients, subject=subject, body=body,
        as_of=as_of, attach_statement=True, entries=entries, action=action,
        communication=communication, user=user,
    )  # fmt: skip
    from .tasks import deliver_outbox  # the tasks import the services

    enqueue(deliver_outbox, once=True)
    return message
