"""What the customer does on its self-service page, recorded as the controller would.

Decisions:
- There is no login: the link (``communications.links``) is the customer's key. Each
  action is recorded *under* the customer's controller (else the company's first credit
  manager), who is "our contact" on the communication, with ``source="portal"`` on every
  record and audit event, so the timeline and audit trail say it came from the page.
- Every visit (at most one per link each ``VISIT_EVERY``) and every action is a completed
  communication of type "Self-service page" on the customer's timeline, and an event
  ``portal.action`` for integrators.
- A dispute is for the invoice's whole remaining amount (the customer does not split
  invoices); the controller is notified. The engine stops chasing the disputed part at
  once (a disputed amount is never chaseable) and the next run refreshes or withdraws the
  live proposal.
- A promise is for the full remaining amount of the chosen invoices (one currency, as
  every promise), with the to-do on the promised date as any promise has.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from communications.models import (
    Communication,
    CommunicationType,
    ContactType,
    CustomerLink,
    Dispute,
)
from communications.promises import dispute_set, promise_create
from communications.services import customer_balance_lcy
from communications.todos import notify, person_for
from creditcontrol.templatetags.ui import day
from events.models import EventKind
from events.services import event_emit
from ledger.models import Customer, LedgerEntry

logger = logging.getLogger(__name__)
SOURCE = "portal"
VISIT_EVERY = dt.timedelta(minutes=30)


def acting_for(customer: Customer) -> Any:
    """The person the page's actions are recorded under (see the module's decisions)."""
    try:
        return person_for(customer)
    except ValidationError:
        raise ValidationError(
            _("Nobody at the company can take this request at the moment.")
        ) from None


def _staff(text: str, **values: Any) -> str:
    """A line for the team (the timeline, a notification), in the site's language with dates
    in the company convention, whatever language the customer's page is shown in."""
    with translation.override(settings.LANGUAGE_CODE):
        shown = {k: day(v) if isinstance(v, dt.date) else v for k, v in values.items()}
        return gettext(text) % shown if values else gettext(text)


def _record(customer: Customer, person: Any, subject: str, notes: str = "",
            entries: list[LedgerEntry] | None = None) -> Communication:  # fmt: skip
    now = timezone.now()
    c = Communication.objects.create(
        company_id=customer.company_id, customer=customer,
        communication_type=CommunicationType.CORRESPONDENCE, contact_type=ContactType.PORTAL,
        subject=subject[:200], occurred_at=now, our_contact=person, notes=notes,
        balance_lcy=customer_balance_lcy(customer), completed_at=now, source=SOURCE,
    )  # fmt: skip
    if entries:
        c.entries.set(entries)
    return c


def _emit(customer: Customer, action: str, **details: Any) -> None:
    event_emit(kind=EventKind.PORTAL_ACTION, company_id=customer.company_id,
               customer_id=customer.pk, action=action,
               customer={"id": customer.pk, "account_code": customer.account_code}, **details)  # fmt: skip


def open_items(customer: Customer):
    """The customer's open items in due-date order, with their document and open dispute."""
    return (
        LedgerEntry.objects.filter(customer=customer).open()
        .select_related("document").order_by("due_date", "document_date", "id")
    )  # fmt: skip


@transaction.atomic
def portal_visit(*, link: CustomerLink) -> Communication | None:
    """Record a visit of the page (at most one per link every ``VISIT_EVERY``)."""
    now = timezone.now()
    fresh = CustomerLink.objects.filter(pk=link.pk).exclude(last_visit_at__gt=now - VISIT_EVERY)
    if not fresh.update(last_visit_at=now):
        return None
    customer = link.customer
    try:
        person = acting_for(customer)
    except ValidationError:  # nobody to record it under: the page still shows
        logger.warning("Visit of %s's self-service page not recorded: no controller", customer)
        return None
    c = _record(customer, person, _staff(gettext_noop("Self-service page visited")))
    _emit(customer, "visit")
    return c


def _entries(customer: Customer, ids: list[int]) -> list[LedgerEntry]:
    entries = list(LedgerEntry.objects.filter(customer=customer, pk__in=ids).open())
    if not entries or len(entries) != len(set(ids)):
        raise ValidationError(_("Choose one or more of the open invoices listed."))
    return entries


@transaction.atomic
def portal_dispute(*, link: CustomerLink, entry_id: int, reason: str) -> Dispute:
    """The customer queries an invoice: a dispute of its remaining amount, the controller
    notified; chasing of it stops."""
    customer = link.customer
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please tell us why you query this invoice."))
    (entry,) = _entries(customer, [entry_id])
    if not entry.is_debit:
        raise ValidationError(_("Only an invoice can be queried."))
    if Dispute.objects.filter(entry=entry, ended_on__isnull=True).exists():
        raise ValidationError(_("This invoice is already being looked into."))
    person = acting_for(customer)
    c = _record(customer, person, _staff(gettext_noop(
        "Self-service page: invoice %(document)s queried"), document=entry.document_no),
        reason, [entry])  # fmt: skip
    dispute = dispute_set(user=person, entry=entry, amount=entry.remaining, reason=reason[:2000],
                          owner=person, communication=c, source=SOURCE)  # fmt: skip
    notify(users=[person], company=customer.company, customer=customer,
           text=_staff(gettext_noop(
               "%(customer)s queried invoice %(document)s on the self-service page: %(reason)s"),
               customer=customer.name, document=entry.document_no, reason=reason)[:300],
           link=reverse("communications:communication-detail", args=[c.pk]))  # fmt: skip
    _emit(customer, "dispute", entry=entry.pk, document_no=entry.document_no, reason=reason,
          dispute=dispute.pk)  # fmt: skip
    return dispute


@transaction.atomic
def portal_promise(*, link: CustomerLink, entry_ids: list[int], promised_on: dt.date | None):
    """The customer promises to pay the chosen invoices in full by a date."""
    customer = link.customer
    entries = _entries(customer, entry_ids)
    if promised_on is None:
        raise ValidationError(_("Choose the date you will pay by."))
    person = acting_for(customer)
    names = ", ".join(e.document_no for e in entries)
    c = _record(customer, person,
                _staff(gettext_noop("Self-service page: payment of %(entries)s promised by "
                                    "%(day)s"), entries=names, day=promised_on),
                entries=entries)  # fmt: skip
    promise = promise_create(user=person, customer=customer, entry_ids=[e.pk for e in entries],
                             promised_on=promised_on, is_full=True, communication=c,
                             source=SOURCE)  # fmt: skip
    _emit(customer, "promise", entries=[e.pk for e in entries], promised_on=promised_on,
          promise=promise.pk)  # fmt: skip
    return promise


def portal_download(*, link: CustomerLink, what: str, entry: LedgerEntry | None = None) -> None:
    """Record a download (statement or an invoice copy) on the timeline."""
    customer = link.customer
    try:
        person = acting_for(customer)
    except ValidationError:  # nobody to record it under: the download still goes
        return
    with transaction.atomic():
        subject = (_staff(gettext_noop("Self-service page: copy of %(document)s downloaded"),
                          document=entry.document_no) if entry
                   else _staff(gettext_noop("Self-service page: statement downloaded")))  # fmt: skip
        _record(customer, person, subject, entries=[entry] if entry else None)
        _emit(customer, "download", document=what, entry=entry.pk if entry else None)
