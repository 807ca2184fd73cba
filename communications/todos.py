"""To-dos and in-app notifications: created by hand or by the workbench, closed by hand or
when every entry they concern is paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from creditcontrol.dates import format_day
from creditcontrol.roles import ADMINISTRATOR, CONTROLLER, MANAGER, can_work_customers
from creditcontrol.taskqueue import enqueue
from ledger.audit import audit_bulk, audit_event, audit_record, snapshot
from ledger.models import AuditEvent, Company, Customer, LedgerEntry
from ledger.services import require_company
from ledger.signals import announce_changed

from .models import Notification, ToDo, ToDoKind

# Stored on the to-do (and in the audit trail) as plain text, in the language of the moment
# it is made; the date in the company's
# convention (creditcontrol/dates.py), as every page shows it.
PAID_REASON = gettext_noop("Every entry it concerns is paid.")
FOLLOW_UP_TEXT = gettext_lazy("Follow up call from %(day)s")
PROMISE_CHECK_TEXT = gettext_noop("Check promised payment has been received")


def check_date(day: dt.date | None, field: str, *, earliest: dt.date, latest: dt.date,
               what: str) -> None:  # fmt: skip
    """Refuse a date outside [earliest, latest] with a message naming the range."""
    if day is None:
        return
    if day < earliest:
        raise ValidationError(
            {
                field: _("The %(what)s cannot be before %(earliest)s.")
                % {"what": what, "earliest": format_day(earliest)}
            }
        )
    if day > latest:
        raise ValidationError(
            {
                field: _("The %(what)s cannot be after %(latest)s.")
                % {"what": what, "latest": format_day(latest)}
            }
        )


def workers_of(companies: Any, *, also: Any = None) -> Any:
    """Active users who work on the customers of ``companies`` (a company, or companies
    or their ids): the choices for owners and our contact; plus ``also`` (a user or id,
    the current value, which stays offered)."""
    if isinstance(companies, Company):
        companies = [companies]
    workers = Q(is_active=True, companies__in=companies,
                groups__name__in=[CONTROLLER, MANAGER, ADMINISTRATOR])  # fmt: skip
    also_pk = getattr(also, "pk", also)
    if also_pk is not None:
        workers |= Q(pk=also_pk)
    return (
        get_user_model()
        .objects.filter(workers)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def worker_of(company: Company, user: Any, field: str = "owner") -> Any:
    """``user`` if they can work on ``company``'s customers, else a clear refusal."""
    if user is None:
        raise ValidationError({field: _("Choose a person.")})
    if not (user.is_superuser or company.members.filter(pk=user.pk).exists()) or not (
        can_work_customers(user)
    ):
        raise ValidationError(
            {
                field: _("%(value)s does not work on %(company)s.")
                % {"value": user.get_full_name() or user.get_username(), "company": company}
            }
        )
    return user


def entries_of(customer: Customer, entry_ids: Iterable[int], *, lock: bool = False) -> list:
    """The customer's entries with these ids (locked in id order when ``lock``); any id
    that is not one of this customer's entries is refused by number."""
    ids = sorted({int(i) for i in entry_ids})
    entries = LedgerEntry.objects.filter(pk__in=ids).order_by("pk")
    if lock:
        entries = entries.select_for_update()
    found = [e for e in entries if e.customer_id == customer.pk]
    strangers = sorted(set(ids) - {e.pk for e in found})
    if strangers:
        raise ValidationError(
            {
                "entries": _("%(not_the_customers)s; nothing was saved.")
                % {"not_the_customers": not_the_customers(customer, strangers)}
            }
        )
    return found


def not_the_customers(customer: Customer, ids: list[int]) -> str:
    """The message for entry ids that are not this customer's (one place for its wording)."""
    if len(ids) == 1:
        return f"Entry {ids[0]} is not a ledger entry of customer {customer.account_code}"
    listed = ", ".join(str(i) for i in ids)
    return f"Entries {listed} are not ledger entries of customer {customer.account_code}"


@transaction.atomic
def todo_create(
    *,
    user: Any,
    customer: Customer,
    description: str,
    due_on: dt.date,
    owner: Any = None,
    entry_ids: Iterable[int] = (),
    notes: str = "",
    kind: str = ToDoKind.MANUAL,
    communication: Any = None,
    promise: Any = None,
    source: str = "web",
) -> ToDo:
    """A to-do for ``owner`` (default: the customer's controller, else ``user``)."""
    company = customer.company
    require_company(user, company, check=can_work_customers)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what is to be done.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Give the date it is due.")})
    if kind == ToDoKind.MANUAL:
        today = company.today()
        check_date(due_on, "due_on", earliest=today, latest=today + dt.timedelta(days=731),
                   what="due date")  # fmt: skip
    owner = worker_of(company, owner or customer.controller or user)
    entries = entries_of(customer, entry_ids)
    todo = ToDo(
        company=company, customer=customer, description=description[:300], due_on=due_on,
        owner=owner, kind=kind, notes=notes, communication=communication, promise=promise,
        created_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    todo.full_clean(exclude=["entries"])
    todo.save()
    todo.entries.set(entries)
    audit_record(user=user, obj=todo, action=AuditEvent.Action.CREATE, after=snapshot(todo),
                 source=source)  # fmt: skip
    _replies_changed([todo])
    return todo


def _replies_changed(todos: Iterable[ToDo]) -> None:
    """A reply received, handled or reopened pauses or resumes the customer's chasing (a
    plan may pause on unhandled replies): the follow-ups hear of it as of a change of the
    customer's open entries."""
    for todo in todos:
        if todo.kind == ToDoKind.REPLY:
            announce_changed(company_id=todo.company_id,
                             entry_ids=LedgerEntry.objects.filter(customer_id=todo.customer_id)
                             .exclude(remaining=0).values_list("pk", flat=True))  # fmt: skip


@transaction.atomic
def todo_update(*, user: Any, todo: ToDo, source: str = "web", **fields: Any) -> ToDo:
    """Change description, due date, owner or notes of an open or closed to-do."""
    require_company(user, todo.company, check=can_work_customers)
    todo = ToDo.objects.select_for_update().get(pk=todo.pk)
    before = snapshot(todo)
    allowed = {"description", "due_on", "owner", "notes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if "owner" in fields:
        fields["owner"] = worker_of(todo.company, fields["owner"])
    if "due_on" in fields:
        today = todo.company.today()
        check_date(fields["due_on"], "due_on", earliest=today - dt.timedelta(days=366),
                   latest=today + dt.timedelta(days=731), what="due date")  # fmt: skip
    for name, value in fields.items():
        setattr(todo, name, value)
    todo.full_clean(exclude=["entries"])
    todo.save()
    _audit_change(user, todo, before, source)
    _replies_changed([todo])
    return todo


def _audit_change(user: Any, obj: Any, before: dict, source: str) -> None:
    after = snapshot(obj)
    changed = [k for k in after if before.get(k) != after[k]]
    audit_record(user=user, obj=obj, action=AuditEvent.Action.UPDATE,
                 before={k: before.get(k) for k in changed},
                 after={k: after[k] for k in changed}, source=source)  # fmt: skip


@transaction.atomic
def todo_close(*, user: Any, todo: ToDo, reason: str = "Closed by hand.",
               source: str = "web") -> ToDo:  # fmt: skip
    """Close a to-do; closing a closed one changes nothing."""
    require_company(user, todo.company, check=can_work_customers)
    todo = ToDo.objects.select_for_update().get(pk=todo.pk)
    if not todo.is_open:
        return todo
    before = snapshot(todo)
    todo.status, todo.closed_at, todo.close_reason = ToDo.Status.CLOSED, timezone.now(), reason
    todo.closed_by = user if getattr(user, "pk", None) else None
    todo.save()
    _audit_change(user, todo, before, source)
    _replies_changed([todo])
    return todo


@transaction.atomic
def todo_reopen(*, user: Any, todo: ToDo, source: str = "web") -> ToDo:
    require_company(user, todo.company, check=can_work_customers)
    todo = ToDo.objects.select_for_update().get(pk=todo.pk)
    if todo.is_open:
        return todo
    before = snapshot(todo)
    todo.status, todo.closed_at, todo.closed_by, todo.close_reason = "open", None, None, ""
    todo.save()
    _audit_change(user, todo, before, source)
    _replies_changed([todo])
    return todo


def todos_close(todos: Any, *, reason: str, user: Any = None, source: str = "system") -> int:
    """Close every open to-do of a queryset in one statement, audited in bulk."""
    now = timezone.now()
    closing = list(todos.filter(status=ToDo.Status.OPEN).select_for_update())
    if not closing:
        return 0
    closed_by = user if getattr(user, "pk", None) else None
    ToDo.objects.filter(pk__in=[t.pk for t in closing]).update(
        status=ToDo.Status.CLOSED, closed_at=now, closed_by=closed_by, close_reason=reason
    )
    audit_bulk(
        audit_event(user=user, obj=t, action=AuditEvent.Action.UPDATE, source=source,
                    before={"status": "open"}, after={"status": "closed", "close_reason": reason})
        for t in closing
    )  # fmt: skip
    _replies_changed(closing)
    return len(closing)


def todos_close_paid(*, entry_ids: Iterable[int]) -> int:
    """Close the open to-dos concerning these entries once *every* entry they concern is
    paid (to-dos without entries are never closed this way)."""
    links = ToDo.entries.through.objects
    still_open = links.filter(todo=OuterRef("pk")).exclude(ledgerentry__remaining=0)
    todos = ToDo.objects.filter(
        pk__in=links.filter(ledgerentry_id__in=list(entry_ids)).values("todo_id")
    ).exclude(Exists(still_open))
    return todos_close(todos, reason=_(PAID_REASON))


def managers_of(company: Company) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(companies=company, groups__name=MANAGER, is_active=True)
        .distinct()
        .order_by("pk")
    )


def person_for(customer: Customer) -> Any:
    """Who acts for the company when no person does (the self-service page, an email
    received): the customer's controller, else the company's first credit manager."""
    company = customer.company
    members = set(company.members.values_list("pk", flat=True))
    candidates = [customer.controller] if customer.controller_id else []
    for person in [*candidates, *managers_of(company)]:
        if person.is_active and person.pk in members and can_work_customers(person):
            return person
    raise ValidationError(
        _("%(customer)s has no controller and %(company)s no credit manager.")
        % {"customer": customer, "company": company}
    )


def notify(*, users: Iterable[Any], company: Company, text: str, customer: Customer | None = None,
           link: str = "", call_action: Any = None) -> list[Notification]:  # fmt: skip
    """Notify users in the app, and by email once the transaction commits."""
    from .tasks import send_notification_email  # tasks import the services

    notes = Notification.objects.bulk_create(
        Notification(company=company, user=u, customer=customer, text=text[:300], link=link,
                     call_action=call_action)
        for u in users
    )  # fmt: skip
    for note in notes:
        enqueue(send_notification_email, note.pk)
    return notes
