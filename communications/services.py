"""Writes of the workbench: communications, updates of selected entries, call actions.

Every function is keyword-only and atomic, checks access first, and leaves audit
events. Pages, API viewsets and tasks call these, never ``Model.save()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcontrol.dates import format_day
from creditcontrol.roles import can_work_customers
from ledger.audit import audit_bulk, audit_event, audit_record, diff, snapshot
from ledger.models import AuditEvent, Customer, LedgerEntry
from ledger.services import customer_exclude, require_company

from .models import (
    CONTACT_TYPES_BY_TYPE,
    ActionType,
    CallAction,
    Communication,
    CustomerResponse,
    EntryNote,
    EntryStatus,
    StatusCode,
    ToDo,
    ToDoKind,
)
from .promises import dispute_set, money, promise_create
from .todos import (
    FOLLOW_UP_TEXT,
    check_date,
    entries_of,
    managers_of,
    notify,
    todo_create,
    todo_reopen,
    todos_close,
    worker_of,
)

COMMUNICATION_FIELDS = {
    "communication_type", "subject", "occurred_at", "our_contact", "contact_type",
    "letter_style", "location", "contact", "contact_name", "contact_phone", "contact_email",
    "outcome", "follow_up_on", "follow_up_time", "notes",
}  # fmt: skip
EARLIEST = dt.date(2000, 1, 1)
COMPLETED_REASON = "The communication was completed."


@dataclass
class PromiseInput:
    """What a controller typed for a promise: full amount, or a partial one, and a date."""

    promised_on: dt.date | None
    amount: Decimal | None = None
    is_full: bool = False


def customer_balance_lcy(customer: Customer) -> Decimal:
    total = LedgerEntry.objects.filter(customer=customer).open().aggregate(t=Sum("remaining_lcy"))
    # SQLite sums decimals as floats: back to cents, or 0.1 + 0.2 fails the field's check.
    return (total["t"] or Decimal(0)).quantize(Decimal("0.01"))


def _check_communication(c: Communication, *, outcome_changed: bool) -> None:
    """Rules a form alone cannot see: types that go together, whose contact, which dates."""
    offered = CONTACT_TYPES_BY_TYPE.get(c.communication_type, ())
    if c.contact_type and c.contact_type not in offered:
        raise ValidationError(
            {"contact_type": _("A %(lower)s communication is one of: %(join)s.") % {"lower": c.get_communication_type_display().lower(), "join": ', '.join(str(t.label) for t in offered)}}
        )  # fmt: skip
    if c.contact_id and c.contact.customer_id != c.customer_id:
        raise ValidationError({"contact": _("This person is not a contact of the customer.")})
    if c.outcome_id and outcome_changed and not c.outcome.is_active:
        raise ValidationError(
            {
                "outcome": _("The outcome “%(outcome)s” is no longer in use.")
                % {"outcome": c.outcome}
            }
        )
    company = c.company
    now = timezone.now()
    if c.occurred_at is not None:
        occurred = c.occurred_at.astimezone(company.tz).date()
        check_date(occurred, "occurred_at", earliest=EARLIEST,
                   latest=company.today(now + dt.timedelta(days=1)), what="communication date")  # fmt: skip
        check_date(c.follow_up_on, "follow_up_on", earliest=occurred,
                   latest=occurred + dt.timedelta(days=731), what="follow-up date")  # fmt: skip
    worker_of(company, c.our_contact, "our_contact")


def _sync_follow_up_todo(user: Any, c: Communication, source: str) -> None:
    """Keep the one "Follow up call from <date>" to-do of a live communication in step with
    its follow-up date: created, moved, or closed when the date is cleared."""
    todos = ToDo.objects.filter(communication=c, kind=ToDoKind.FOLLOW_UP, status="open")
    if c.follow_up_on is None or not c.is_live:
        todos_close(todos, reason="The follow-up date was removed.", user=user, source=source)
        return
    day = c.occurred_at.astimezone(c.company.tz).date()
    description = FOLLOW_UP_TEXT % {"day": format_day(day, c.company)}
    current = todos.first()
    if current is None:
        todo_create(user=user, customer=c.customer, description=description,
                    due_on=c.follow_up_on, owner=c.our_contact, kind=ToDoKind.FOLLOW_UP,
                    communication=c, entry_ids=c.entries.values_list("pk", flat=True),
                    source=source)  # fmt: skip
    elif (current.due_on, current.description, current.owner_id) != (
        c.follow_up_on, description, c.our_contact_id,
    ):  # fmt: skip
        todos.update(due_on=c.follow_up_on, description=description, owner=c.our_contact_id)


@transaction.atomic
def communication_create(
    *,
    user: Any,
    customer: Customer,
    entry_ids: Iterable[int] = (),
    promise: PromiseInput | None = None,
    source: str = "web",
    **fields: Any,
) -> Communication:
    """Record a contact with the customer, and what follows from it.

    1. Check access; default the time to now and our contact to ``user``.
    2. Lock the selected entries (they must be the customer's) and check the fields.
    3. Store the customer's balance now: it is kept, never recomputed.
    4. A follow-up date raises "Follow up call from <date>"; an outcome that creates a
       promise needs ``promise`` and records it on the selected entries (or, with none
       selected, on every open invoice of the customer).
    """
    require_company(user, customer.company, check=can_work_customers)
    unknown = set(fields) - COMMUNICATION_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    fields.setdefault("our_contact", user)
    fields["occurred_at"] = fields.get("occurred_at") or timezone.now()
    entries = entries_of(customer, entry_ids, lock=True)
    c = Communication(company=customer.company, customer=customer, source=source,
                      created_by=user if getattr(user, "pk", None) else None, **fields)  # fmt: skip
    c.balance_lcy = customer_balance_lcy(customer)
    c.full_clean(exclude=["entries"])
    _check_communication(c, outcome_changed=True)
    c.save()
    c.entries.set(entries)
    audit_record(user=user, obj=c, action=AuditEvent.Action.CREATE,
                 after={**snapshot(c), "entries": [e.pk for e in entries]}, source=source)  # fmt: skip
    _sync_follow_up_todo(user, c, source)
    if c.outcome_id and c.outcome.creates_promise:
        _promise_from_outcome(user, c, entries, promise, source)
    return c


def _promise_from_outcome(user: Any, c: Communication, entries: list, promise: Any,
                          source: str) -> None:  # fmt: skip
    if promise is None:
        raise ValidationError(
            {
                "promised_on": _("The outcome “%(outcome)s” needs the promised amount and date.")
                % {"outcome": c.outcome}
            }
        )
    ids = [e.pk for e in entries] or list(
        LedgerEntry.objects.filter(customer=c.customer, currency=c.customer.currency)
        .debits().open().values_list("pk", flat=True)
    )  # fmt: skip
    promise_create(user=user, customer=c.customer, entry_ids=ids, communication=c,
                   promised_on=promise.promised_on, amount=promise.amount,
                   is_full=promise.is_full, source=source)  # fmt: skip


@transaction.atomic
def communication_update(
    *, user: Any, communication: Communication, complete: bool = False,
    promise: PromiseInput | None = None, source: str = "web", **fields: Any,
) -> Communication:  # fmt: skip
    """Amend a communication. Its recorded balance and entries stay as they were. An
    outcome newly asking for a promise records ``promise`` (on the communication's entries)
    unless it already has one; ticking "Mark this communication as complete" then
    completes it in the same step."""
    require_company(user, communication.company, check=can_work_customers)
    unknown = set(fields) - COMMUNICATION_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    c = Communication.objects.select_for_update().select_related("company").get(pk=communication.pk)
    before = snapshot(c)
    for name, value in fields.items():
        setattr(c, name, value)
    c.full_clean(exclude=["entries"])
    _check_communication(c, outcome_changed=c.outcome_id != before["outcome_id"])
    c.save()
    old, new = diff(before, snapshot(c))
    audit_record(user=user, obj=c, action=AuditEvent.Action.UPDATE, before=old, after=new,
                 source=source)  # fmt: skip
    _sync_follow_up_todo(user, c, source)
    if c.outcome_id and c.outcome.creates_promise and not c.promises.exists():
        _promise_from_outcome(user, c, list(c.entries.order_by("pk")), promise, source)
    if complete:
        c = communication_complete(user=user, communication=c, source=source)
    return c


@transaction.atomic
def communication_complete(*, user: Any, communication: Communication,
                           source: str = "web") -> Communication:  # fmt: skip
    """Complete a communication: its follow-up and promise leave the customer's derived
    figures and the Chase Debt report, and the to-dos it raised close. Twice is harmless."""
    require_company(user, communication.company, check=can_work_customers)
    c = Communication.objects.select_for_update().get(pk=communication.pk)
    if not c.is_live:
        return c
    c.completed_at, c.completed_by = timezone.now(), user if getattr(user, "pk", None) else None
    c.save(update_fields=["completed_at", "completed_by", "updated_at"])
    audit_record(user=user, obj=c, action=AuditEvent.Action.UPDATE, before={"completed_at": None},
                 after={"completed_at": c.completed_at.isoformat()}, source=source)  # fmt: skip
    todos_close(ToDo.objects.filter(communication=c), reason=COMPLETED_REASON, user=user,
                source=source)  # fmt: skip
    return c


@transaction.atomic
def communication_reopen(*, user: Any, communication: Communication,
                         source: str = "web") -> Communication:  # fmt: skip
    """Undo completing: the communication is live again and its follow-up counts again."""
    require_company(user, communication.company, check=can_work_customers)
    c = Communication.objects.select_for_update().get(pk=communication.pk)
    if c.is_live:
        return c
    before = c.completed_at.isoformat()
    c.completed_at = c.completed_by = None
    c.save(update_fields=["completed_at", "completed_by", "updated_at"])
    audit_record(user=user, obj=c, action=AuditEvent.Action.UPDATE,
                 before={"completed_at": before}, after={"completed_at": None}, source=source)  # fmt: skip
    _sync_follow_up_todo(user, c, source)
    # The check of a promise still open comes back with the communication that made it.
    checks = ToDo.objects.filter(communication=c, kind=ToDoKind.PROMISE_CHECK, status="closed",
                                 close_reason=COMPLETED_REASON, promise__status="open")  # fmt: skip
    for todo in checks:
        todo_reopen(user=user, todo=todo, source=source)
    return c


@transaction.atomic
def entries_update(
    *,
    user: Any,
    customer: Customer,
    entry_ids: Iterable[int],
    status_code: StatusCode | None = None,
    promise: PromiseInput | None = None,
    query_target_on: dt.date | None = None,
    query_owner: Any = None,
    note: str = "",
    communication: Communication | None = None,
    source: str = "web",
) -> list[LedgerEntry]:
    """Update every selected entry at once: status code, promise or query, note.

    1. Check access; lock the entries in id order (two controllers updating the same
       entries wait for each other, and neither update is lost: notes are added, never
       overwritten, and every status change is audited).
    2. A *promised* code records one promise over the selection (full or partial, dated);
       a *queried* code sets the resolution target date (default today) and owner
       (default the user where the code says so); any other code clears the query.
    """
    company = customer.company
    require_company(user, company, check=can_work_customers)
    entries = entries_of(customer, entry_ids, lock=True)
    if not entries:
        raise ValidationError({"entries": _("Select at least one entry.")})
    note = (note or "").strip()
    if status_code is None and not note:
        raise ValidationError({"status_code": _("Choose a status code or write a note.")})
    if status_code is not None and not status_code.is_active:
        raise ValidationError(
            {"status_code": _("The status code %(code)s is retired.") % {"code": status_code.code}}
        )
    if status_code is not None and status_code.is_promised:
        if promise is None:
            raise ValidationError(
                {"promised_on": _("%(code)s needs a promised date.") % {"code": status_code.code}}
            )
        promise_create(user=user, customer=customer, entry_ids=[e.pk for e in entries],
                       communication=communication, promised_on=promise.promised_on,
                       amount=promise.amount, is_full=promise.is_full, source=source)  # fmt: skip
    if status_code is not None and status_code.is_queried:
        today = company.today()
        query_target_on = query_target_on or today
        check_date(query_target_on, "query_target_on", earliest=today,
                   latest=today + dt.timedelta(days=366), what="resolution target date")  # fmt: skip
        if query_owner is None and status_code.owner_defaults_to_user:
            query_owner = user
        query_owner = worker_of(company, query_owner, "query_owner")
    elif status_code is not None:
        query_target_on = query_owner = None
    if status_code is not None:
        _set_statuses(user, company, entries, status_code, query_target_on, query_owner, source)
    if note:
        EntryNote.objects.bulk_create(
            EntryNote(company=company, entry=e, communication=communication, text=note,
                      created_by=user if getattr(user, "pk", None) else None)
            for e in entries
        )  # fmt: skip
    return entries


def _set_statuses(user, company, entries, code, target, owner, source) -> None:
    current = {s.entry_id: s for s in EntryStatus.objects.filter(entry__in=entries)}
    events, new = [], []
    for entry in entries:
        status = current.get(entry.pk) or EntryStatus(entry=entry, company=company)
        before = snapshot(status) if entry.pk in current else {}
        status.status_code, status.query_target_on, status.query_owner = code, target, owner
        status.updated_by = user if getattr(user, "pk", None) else None
        old, after = diff(before, snapshot(status))
        if entry.pk in current:
            status.save()
        else:
            new.append(status)
        if after:
            events.append(audit_event(user=user, obj=status, source=source, before=old,
                                      after=after, action=AuditEvent.Action.UPDATE))  # fmt: skip
    EntryStatus.objects.bulk_create(new)
    audit_bulk(events)


@transaction.atomic
def call_action_record(
    *,
    user: Any,
    communication: Communication,
    action_type: ActionType,
    entry: LedgerEntry | None = None,
    response: CustomerResponse | None = None,
    amount: Any = None,
    notes: str = "",
    source: str = "web",
) -> CallAction:
    """Record a next step on a communication, for the customer or one of its entries, and
    do what its type does: alert the company's credit managers (in the app and by email),
    exclude the customer from follow-ups, or open/change the entry's dispute."""
    c = communication
    require_company(user, c.company, check=can_work_customers)
    if not action_type.is_active:
        raise ValidationError(
            {
                "action_type": _("The action type “%(action_type)s” is retired.")
                % {"action_type": action_type}
            }
        )
    if response is not None and not response.is_active:
        raise ValidationError(
            {"response": _("The response “%(response)s” is retired.") % {"response": response}}
        )
    if entry is not None:
        entry = entries_of(c.customer, [entry.pk])[0]
    amount = None if amount in (None, "") else money(amount, "amount")
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be below zero.")})
    behaviour = action_type.behaviour
    action = CallAction(company=c.company, customer=c.customer, communication=c, entry=entry,
                        action_type=action_type, response=response, amount=amount,
                        notes=(notes or "").strip(),
                        created_by=user if getattr(user, "pk", None) else None)  # fmt: skip
    if behaviour in (ActionType.Behaviour.DISPUTE, ActionType.Behaviour.CREDIT_MEMO):
        if entry is None:
            raise ValidationError(
                {
                    "entry": _("“%(action_type)s” is for one entry: choose it.")
                    % {"action_type": action_type}
                }
            )
        if amount is None:
            raise ValidationError(
                {"amount": _("“%(action_type)s” needs an amount.") % {"action_type": action_type}}
            )
    if behaviour == ActionType.Behaviour.CREDIT_MEMO:
        # A credit memo can only reduce what is still owed on the entry.
        if amount <= 0:
            raise ValidationError({"amount": _("A credit memo request must be more than zero.")})
        if amount > entry.remaining:
            raise ValidationError(
                {"amount": _("%(amount)s %(currency)s is more than the %(remaining)s %(currency)s still open on %(document_no)s.") % {"amount": amount, "currency": entry.currency, "remaining": entry.remaining, "document_no": entry.document_no}}
            )  # fmt: skip
    if behaviour == ActionType.Behaviour.DISPUTE:
        action.dispute = dispute_set(user=user, entry=entry, amount=amount, reason=action.notes,
                                     communication=c, source=source)  # fmt: skip
    action.full_clean()
    action.save()
    audit_record(user=user, obj=action, action=AuditEvent.Action.CREATE, after=snapshot(action),
                 source=source)  # fmt: skip
    if behaviour == ActionType.Behaviour.EXCLUDE and not c.customer.exclude_from_followups:
        customer_exclude(user=user, customer=c.customer, by_call_action=True, source=source,
                         reason=action.notes or f"{action_type} ({c.subject})")  # fmt: skip
    if behaviour == ActionType.Behaviour.ALERT:
        managers = managers_of(c.company)
        if not managers:
            raise ValidationError(
                {
                    "action_type": _("No credit manager works on %(company)s to receive the alert.")
                    % {"company": c.company}
                }
            )
        about = f" on {entry}" if entry else ""
        notify(users=managers, company=c.company, customer=c.customer, call_action=action,
               text=f"Alert from {user.get_full_name() or user.get_username()}: {c.customer}{about}. "
                    f"{action.notes or c.subject}",
               link=reverse("ledger:customer-card", args=[c.customer_id]))  # fmt: skip
    return action
