"""Promises to pay and disputes: the money a customer has promised or contests.

Both lock the ledger entries they concern (in id order, like applications do) before
checking amounts, so two controllers working the same entries at once are serialised
and neither change is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from creditcontrol.dates import format_day
from creditcontrol.roles import can_work_customers
from events.models import EventKind
from events.services import event_emit
from ledger.audit import audit_bulk, audit_event, audit_record, snapshot
from ledger.models import AuditEvent, Company, Customer, LedgerEntry
from ledger.services import require_company, to_lcy
from ledger.signals import announce_changed

from .models import Communication, Dispute, Promise, PromiseEntry, PromiseStatus, ToDo, ToDoKind
from .todos import PROMISE_CHECK_TEXT, check_date, entries_of, todo_create, todos_close, worker_of

MAX_PROMISE_DAYS = 366


def promise_emit(kind: str, promise: Promise, entry_ids: Iterable[int], source: str) -> None:
    event_emit(kind=kind, company_id=promise.company_id, customer_id=promise.customer_id,
               promise={"id": promise.pk, "amount": promise.amount, "currency": promise.currency,
                        "promised_on": promise.promised_on, "status": promise.status,
                        "entries": list(entry_ids)}, source=source)  # fmt: skip


def dispute_emit(kind: str, dispute: Dispute, source: str) -> None:
    event_emit(kind=kind, company_id=dispute.company_id, customer_id=dispute.customer_id,
               dispute={"id": dispute.pk, "entry": dispute.entry_id, "amount": dispute.amount,
                        "reason": dispute.reason, "opened_on": dispute.opened_on,
                        "ended_on": dispute.ended_on}, source=source)  # fmt: skip


def money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("“%(value)s” is not an amount.") % {"value": value}}
        ) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValidationError(
            {field: _("Give the amount in currency units with at most 2 decimals.")}
        )
    return amount


def _promisable(entries: list[LedgerEntry]) -> None:
    """Refuse entries a promise cannot cover: credits, paid items, mixed currencies, and
    entries already carrying an open promise."""
    if not entries:
        raise ValidationError({"entries": _("Select the entries the customer promises to pay.")})
    for entry in entries:
        if not entry.is_debit:
            raise ValidationError(
                {"entries": _("%(entry)s is not an invoice or debit memo.") % {"entry": entry}}
            )
        if not entry.is_open:
            raise ValidationError({"entries": _("%(entry)s is already paid.") % {"entry": entry}})
    currencies = sorted({e.currency for e in entries})
    if len(currencies) > 1:
        raise ValidationError(
            {"entries": _("A promise covers entries in one currency; the selection has %(join)s. Record one promise per currency.") % {"join": ' and '.join(currencies)}}
        )  # fmt: skip
    held = (
        PromiseEntry.objects.filter(entry__in=entries, promise__status=PromiseStatus.OPEN)
        .select_related("entry", "promise")
        .first()
    )
    if held:
        raise ValidationError(
            {"entries": _("%(entry)s already carries an open promise (%(promise)s); cancel that promise before recording a new one.") % {"entry": held.entry, "promise": held.promise}}
        )  # fmt: skip


@transaction.atomic
def promise_create(
    *,
    user: Any,
    customer: Customer,
    entry_ids: Iterable[int],
    promised_on: dt.date | None,
    amount: Any = None,
    is_full: bool = False,
    communication: Communication | None = None,
    source: str = "web",
) -> Promise:
    """Record a promise to pay the selected entries in full, or ``amount`` of them, by
    ``promised_on``; and the to-do "Check promised payment has been received" due then.

    1. Check access, then lock the entries and refuse anything a promise cannot cover.
    2. Refuse a partial amount of zero or less or above the selection's remaining amount,
       and a date in the past or more than a year ahead.
    3. Write the promise, its entries with their remaining amounts now (what payments are
       measured against), the to-do, and the audit event.
    """
    company = customer.company
    require_company(user, company, check=can_work_customers)
    entries = entries_of(customer, entry_ids, lock=True)
    _promisable(entries)
    remaining = sum((e.remaining for e in entries), Decimal("0.00"))
    currency = entries[0].currency
    if is_full:
        amount = remaining
    elif amount is None or amount == "":
        raise ValidationError({"amount": _("Give the promised amount, or tick full amount.")})
    else:
        amount = money(amount, "amount")
        if amount <= 0:
            raise ValidationError({"amount": _("A promised amount must be more than zero.")})
        if amount > remaining:
            raise ValidationError(
                {"amount": _("%(amount)s %(currency)s is more than the %(remaining)s %(currency)s still open on the selected entries.") % {"amount": amount, "currency": currency, "remaining": remaining}}
            )  # fmt: skip
    if promised_on is None:
        raise ValidationError({"promised_on": _("Give the date the customer promised to pay by.")})
    today = company.today()
    check_date(promised_on, "promised_on", earliest=today,
               latest=today + dt.timedelta(days=MAX_PROMISE_DAYS), what="promised date")  # fmt: skip
    rate = entries[0].exchange_rate if len(entries) == 1 else None
    amount_lcy = to_lcy(amount, rate) if rate else _lcy_share(entries, amount, remaining)
    promise = Promise.objects.create(
        company=company, customer=customer, communication=communication, is_full=is_full,
        currency=currency, amount=amount, amount_lcy=amount_lcy, promised_on=promised_on,
        created_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    PromiseEntry.objects.bulk_create(
        PromiseEntry(promise=promise, entry=e, remaining_at_promise=e.remaining) for e in entries
    )
    announce_changed(company_id=company.pk, entry_ids=[e.pk for e in entries])
    audit_record(user=user, obj=promise, action=AuditEvent.Action.CREATE,
                 after={**snapshot(promise), "entries": [e.pk for e in entries]}, source=source)  # fmt: skip
    owner = communication.our_contact if communication else user
    todo_create(
        user=user, customer=customer, description=_(PROMISE_CHECK_TEXT), due_on=promised_on,
        owner=owner if getattr(owner, "pk", None) else None, entry_ids=[e.pk for e in entries],
        kind=ToDoKind.PROMISE_CHECK, communication=communication, promise=promise, source=source,
    )  # fmt: skip
    promise_emit(EventKind.PROMISE_MADE, promise, [e.pk for e in entries], source)
    return promise


def _lcy_share(entries: list[LedgerEntry], amount: Decimal, remaining: Decimal) -> Decimal:
    """The promised amount in LCY: the same share of the entries' remaining LCY."""
    remaining_lcy = sum((e.remaining_lcy for e in entries), Decimal("0.00"))
    return (remaining_lcy * amount / remaining).quantize(Decimal("0.01"))


@transaction.atomic
def promise_cancel(*, user: Any, promise: Promise, source: str = "web") -> Promise:
    """Withdraw an open promise (recorded in error, or replaced); its check to-do closes."""
    require_company(user, promise.company, check=can_work_customers)
    promise = Promise.objects.select_for_update().get(pk=promise.pk)
    if promise.status != PromiseStatus.OPEN:
        raise ValidationError(
            _("This promise is already %(lower)s.")
            % {"lower": promise.get_status_display().lower()}
        )
    _resolve([promise], PromiseStatus.CANCELLED, promise.company.today(), user=user, source=source)
    return promise


def promises_settle(*, company: Company, as_of: dt.date, entry_ids: Iterable[int] | None = None,
                    user: Any = None) -> dict[str, int]:  # fmt: skip
    """Decide open promises of ``company`` on ``as_of`` (its own today).

    With ``entry_ids`` (a payment was applied to them): their open promises whose entries'
    payments since the promise now cover the promised amount are *kept*, or *broken* when
    the promised date has already passed. Without (the daily check): every open promise
    whose date has passed is *kept* if covered, else *broken*. Payments are measured as the
    fall of the entries' remaining amounts since the promise, whichever way the payment
    arrived (an application, or the accounting system's sync).
    """
    promises = Promise.objects.select_for_update(of=("self",)).filter(
        company=company, status=PromiseStatus.OPEN
    )
    if entry_ids is not None:
        ids = list(entry_ids)
        promises = promises.filter(
            pk__in=PromiseEntry.objects.filter(entry_id__in=ids).values("promise_id")
        )
    else:
        promises = promises.filter(promised_on__lt=as_of)
    paid = dict(
        PromiseEntry.objects.filter(promise__in=list(promises.values_list("pk", flat=True)))
        .values("promise_id")
        .annotate(paid=Sum(F("remaining_at_promise") - F("entry__remaining")))
        .values_list("promise_id", "paid")
    )
    kept, broken = [], []
    for promise in promises.select_related("customer", "communication"):
        covered = paid.get(promise.pk, 0) >= promise.amount
        if covered and (entry_ids is None or promise.promised_on >= as_of):
            kept.append(promise)
        elif promise.promised_on < as_of:
            broken.append(promise)
    _resolve(kept, PromiseStatus.KEPT, as_of, user=user)
    _resolve(broken, PromiseStatus.BROKEN, as_of, user=user)
    return {"kept": len(kept), "broken": len(broken)}


def _resolve(promises: list[Promise], status: str, day: dt.date, *, user: Any = None,
             source: str = "system") -> None:  # fmt: skip
    """Set the status of open promises; close their check to-dos; a broken promise raises
    a to-do for the customer's controller (else whoever took the promise)."""
    if not promises:
        return
    Promise.objects.filter(pk__in=[p.pk for p in promises]).update(status=status, resolved_on=day)
    for company_id in sorted({p.company_id for p in promises}):
        announce_changed(company_id=company_id, entry_ids=PromiseEntry.objects.filter(
            promise__in=[p.pk for p in promises if p.company_id == company_id]
        ).values_list("entry_id", flat=True))  # fmt: skip
    audit_bulk(
        audit_event(user=user, obj=p, action=AuditEvent.Action.UPDATE, source=source,
                    before={"status": "open"}, after={"status": status, "resolved_on": str(day)})
        for p in promises
    )  # fmt: skip
    reason = f"The promise was {PromiseStatus(status).label.lower()}."
    todos_close(ToDo.objects.filter(promise__in=promises, kind=ToDoKind.PROMISE_CHECK),
                reason=reason, user=user, source=source)  # fmt: skip
    kinds = {
        PromiseStatus.KEPT: EventKind.PROMISE_KEPT,
        PromiseStatus.BROKEN: EventKind.PROMISE_BROKEN,
    }
    for promise in promises:
        promise.status, promise.resolved_on = status, day
        if status in kinds:
            promise_emit(kinds[status], promise,
                         promise.lines.values_list("entry_id", flat=True), source)  # fmt: skip
        if status != PromiseStatus.BROKEN:
            continue
        owner = (
            promise.customer.controller
            or promise.created_by
            or (promise.communication.our_contact if promise.communication else None)
        )
        if owner is None:
            continue
        todo = ToDo.objects.create(
            company=promise.company, customer=promise.customer, kind=ToDoKind.PROMISE_BROKEN,
            description=_("Promise of %(amount)s %(currency)s due %(day)s was broken: "
                          "call the customer") % {
                "amount": promise.amount, "currency": promise.currency,
                "day": format_day(promise.promised_on, promise.company),
            },
            due_on=day, owner=owner, promise=promise, communication=promise.communication,
        )  # fmt: skip
        todo.entries.set(promise.lines.values_list("entry_id", flat=True))


@transaction.atomic
def dispute_set(
    *,
    user: Any,
    entry: LedgerEntry,
    amount: Any,
    reason: str = "",
    owner: Any = None,
    communication: Communication | None = None,
    source: str = "web",
) -> Dispute | None:
    """Open, change or end the dispute on one entry. Amount zero ends it.

    The amount is refused above the entry's remaining amount (one open dispute per entry,
    so its undisputed remaining plus its current disputed part). Every change is kept as an
    audit event, which the entry's history shows.
    """
    company = entry.company
    require_company(user, company, check=can_work_customers)
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    amount = money(amount, "amount")
    dispute = Dispute.objects.select_for_update().filter(entry=entry, ended_on__isnull=True).first()
    if amount < 0:
        raise ValidationError({"amount": _("A disputed amount cannot be below zero.")})
    if amount == 0:
        if dispute is None:
            raise ValidationError(
                {"amount": _("%(entry)s has no open dispute to end.") % {"entry": entry}}
            )
        return dispute_end(user=user, dispute=dispute, source=source)
    if not entry.is_debit:
        raise ValidationError({"entry": _("Only an invoice or a debit memo can be disputed.")})
    if amount > entry.remaining:
        raise ValidationError(
            {"amount": _("%(amount)s %(currency)s is more than the %(remaining)s %(currency)s still open on %(document_no)s.") % {"amount": amount, "currency": entry.currency, "remaining": entry.remaining, "document_no": entry.document_no}}
        )  # fmt: skip
    if dispute is None:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the customer disputes the entry.")})
        dispute = Dispute(
            company=company, customer_id=entry.customer_id, entry=entry, amount=amount,
            reason=reason.strip(), owner=worker_of(company, owner or user),
            opened_on=company.today(), communication=communication,
            created_by=user if getattr(user, "pk", None) else None,
        )  # fmt: skip
        dispute.save()
        audit_record(user=user, obj=dispute, action=AuditEvent.Action.CREATE,
                     after=snapshot(dispute), source=source)  # fmt: skip
        dispute_emit(EventKind.DISPUTE_OPENED, dispute, source)
        announce_changed(company_id=company.pk, entry_ids=[entry.pk])
        return dispute
    before = snapshot(dispute)
    dispute.amount = amount
    if (reason or "").strip():
        dispute.reason = reason.strip()
    if owner is not None:
        dispute.owner = worker_of(company, owner)
    dispute.save()
    after = snapshot(dispute)
    changed = [k for k in after if before.get(k) != after[k]]
    audit_record(user=user, obj=dispute, action=AuditEvent.Action.UPDATE,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed},
                 source=source)  # fmt: skip
    if changed:
        dispute_emit(EventKind.DISPUTE_CHANGED, dispute, source)
    announce_changed(company_id=company.pk, entry_ids=[entry.pk])
    return dispute


@transaction.atomic
def dispute_end(*, user: Any, dispute: Dispute, source: str = "web") -> Dispute:
    """End a dispute (its amount becomes zero); ending an ended one changes nothing."""
    require_company(user, dispute.company, check=can_work_customers)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not dispute.is_open:
        return dispute
    before = snapshot(dispute)
    dispute.amount, dispute.ended_on = Decimal("0.00"), dispute.company.today()
    dispute.save()
    audit_record(user=user, obj=dispute, action=AuditEvent.Action.UPDATE,
                 before={"amount": before["amount"], "ended_on": None},
                 after={"amount": "0.00", "ended_on": str(dispute.ended_on)}, source=source)  # fmt: skip
    dispute_emit(EventKind.DISPUTE_ENDED, dispute, source)
    announce_changed(company_id=dispute.company_id, entry_ids=[dispute.entry_id])
    return dispute
