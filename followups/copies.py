"""Sending invoice copies of ticked entries from the customer's entries tab: one email
through the outbox, once (the confirmation form's key), with each entry's PDF attached."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communications.models import CommunicationType, ContactType
from communications.services import communication_complete, communication_create
from creditcontrol.roles import can_work_customers
from ledger.models import Customer, EntryDocument, LedgerEntry
from ledger.services import require_company

from .languages import in_language
from .models import OutboxMessage
from .outbox import outbox_enqueue
from .placeholders import credit_contact, email_recipients, fill
from .statements import parse_recipients

COPIES_TEXTS = {
    "en": ("{company}: copies of your invoices",
           "Dear {contact},\n\nAs requested, please find attached copies of the following "
           "documents.\n\n{entries}\n\nKind regards,\n{controller}\n{company}"),
    "de": ("{company}: Rechnungskopien",
           "Sehr geehrte(r) {contact},\n\nwie gewünscht erhalten Sie anbei Kopien der folgenden "
           "Belege.\n\n{entries}\n\nMit freundlichen Grüßen\n{controller}\n{company}"),
    "fr": ("{company} : copies de vos factures",
           "Madame, Monsieur {contact},\n\nComme demandé, veuillez trouver ci-joint les copies "
           "des pièces suivantes.\n\n{entries}\n\nCordialement,\n{controller}\n{company}"),
}  # fmt: skip


@transaction.atomic
def copies_send(*, user: Any, customer: Customer, entry_ids: Iterable[int], key: str,
                to: str | Iterable[str] | None = None) -> OutboxMessage:  # fmt: skip
    """Email the copies of the chosen entries' documents to the customer, once per ``key``.

    1. Check access; keep the chosen entries of this customer that have a document (none:
       refused); the recipients are ``to``, else the credit-control contact, else the
       customer's address.
    2. Record a completed "email sent" communication over those entries.
    3. Queue one outbox email (key ``copies:<key>``) with the copies attached.
    """
    require_company(user, customer.company, check=can_work_customers)
    ids = set(entry_ids)
    entries = list(LedgerEntry.objects.filter(customer=customer, pk__in=ids,
                                              document__isnull=False).order_by("due_date", "id"))  # fmt: skip
    if not entries:
        raise ValidationError(_("None of the ticked entries has a document to send."))
    recipients = parse_recipients(to) or email_recipients(customer)
    if not recipients:
        raise ValidationError(
            {"to": _("%(customer_name)s has no email address.") % {"customer_name": customer.name}}
        )
    existing = OutboxMessage.objects.filter(key=f"copies:{key}").first()
    if existing is not None:
        return existing
    as_of = customer.company.today()
    contact = credit_contact(customer)
    subject, body = COPIES_TEXTS.get(customer.document_language, COPIES_TEXTS["en"])
    with in_language(customer):
        texts = {"customer": customer, "entries": entries, "as_of": as_of, "contact": contact,
                 "controller": user}  # fmt: skip
        subject, body = fill(subject, **texts)[:200], fill(body, **texts)
    c = communication_create(
        user=user, customer=customer, communication_type=CommunicationType.CORRESPONDENCE,
        contact_type=ContactType.EMAIL_SENT, contact=contact, subject=subject,
        notes=_("Copies of %(documents)s sent to %(recipients)s.") % {
            "documents": ", ".join(e.document_no for e in entries),
            "recipients": ", ".join(recipients)},
        entry_ids=[e.pk for e in entries],
    )  # fmt: skip
    communication_complete(user=user, communication=c)
    message = outbox_enqueue(
        company=customer.company, customer=customer, kind=OutboxMessage.Kind.EMAIL,
        key=f"copies:{key}"[:120], to=recipients, subject=subject, body=body, as_of=as_of,
        attach_copies=True, entries=entries, communication=c, user=user,
    )  # fmt: skip
    from .tasks import deliver_outbox  # the tasks import the services

    deliver_outbox.delay_on_commit()
    return message


def with_documents(customer: Customer, ids: Iterable[int]) -> list[EntryDocument]:
    return list(EntryDocument.objects.filter(entry__customer=customer, entry__pk__in=list(ids))
                .select_related("entry").order_by("entry__due_date", "entry_id"))  # fmt: skip
