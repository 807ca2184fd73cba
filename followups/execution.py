"""Executing, skipping and postponing the engine's proposals.

Executing a proposal writes, in one transaction, everything it does: the level on each
entry, the customer's follow-up history, a communication per email or letter, the to-do
of a manual action and one outbox row per email and per letter. The outbox worker sends
after the commit, so a rolled-back execution sends nothing and a committed one is sent
exactly once (``followups.outbox``).

Decisions:
- Each entry records *its own* next level (the proposal line's level), never the
  proposal's, which may be higher; entries only listed because they are overdue get no
  level. A level is only ever raised, so no level is executed twice for an entry.
- Entries paid, excluded or given a later expected payment date since the run are left
  out; when none of the entries the proposal was made for is left, it is refused.
- The worker (``user`` None, levels marked automatic only) acts under the customer's
  controller, else the company's first credit manager: they are "our contact" on the
  communication and own the to-do. With neither, the automatic execution is refused and
  the proposal waits on the work list for a person; nothing is sent without an owner.
- An email needs an address (``placeholders.reminder_addresses``: the reachable credit
  contact, else the customer's own; Cc the contacts copied on reminders); without one it is
  refused with a message, rather than queueing a message that can never go.
- Skipping records the levels on the entries without sending anything, so they climb at
  the next step next time; the history line has channel "skipped", which the engine does
  not count as a reminder for the plan's minimum interval.
- The communications recorded are completed at once: a sent reminder needs no follow-up
  of its own (a manual action gets its to-do instead).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communications.models import Communication, CommunicationType, ContactType, ToDo, ToDoKind
from communications.services import customer_balance_lcy
from communications.todos import check_date, managers_of
from creditcontrol.roles import can_work_customers
from creditcontrol.taskqueue import enqueue
from events.models import EventKind
from events.services import event_emit
from ledger.audit import audit_bulk, audit_event, audit_record, snapshot
from ledger.models import AuditEvent, Customer, LedgerEntry
from ledger.services import require_company

from . import languages, placeholders
from .entry_actions import add_months
from .models import (
    Channel,
    FollowUpAction,
    FollowUpActionEntry,
    FollowUpLevel,
    OutboxMessage,
    Proposal,
    ProposalEntry,
    ProposalStatus,
)
from .outbox import outbox_enqueue
from .restage import customers_changed

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
WORKER_SOURCE = "worker"
NOT_LIVE = {
    ProposalStatus.EXECUTED: gettext_lazy(
        "This proposal has already been executed; nothing was sent again."
    ),
    ProposalStatus.SKIPPED: gettext_lazy("This proposal was skipped; nothing was sent."),
    ProposalStatus.WITHDRAWN: gettext_lazy(
        "This proposal is no longer due (a later run withdrew it); nothing was sent."
    ),
}


def _locked(proposal: Proposal) -> Proposal:
    """The proposal again, locked: two people executing it at once wait for each other, and
    the second finds it no longer live."""
    p = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("company", "customer__company", "customer__controller", "level")
        .get(pk=proposal.pk)
    )
    if not p.is_live:
        raise ValidationError(NOT_LIVE[p.status])
    return p


def _check_access(user: Any, proposal: Proposal) -> None:
    if user is None:
        if not proposal.level.execute_automatically:
            raise PermissionDenied(_("Only levels marked automatic are executed without a person."))
        return
    require_company(user, proposal.company, check=can_work_customers)


def lines_to_send(p: Proposal, as_of: dt.date) -> list[ProposalEntry]:
    """The proposal's lines whose entries are still to be chased on ``as_of``: still open,
    not excluded, not expected to be paid later (in due-date order)."""
    excluded = Q(entry__exclude_forever=True) | Q(entry__exclude_until__gt=as_of)
    return list(
        p.lines.select_related("entry")
        .exclude(entry__remaining=0)
        .exclude(excluded)
        .exclude(entry__expected_payment_date__gt=as_of)
        .order_by("entry__due_date", "entry_id")
    )


def _stand_in(customer: Customer) -> Any:
    """Who the worker acts under: the customer's controller, else a credit manager."""
    company = customer.company
    members = set(company.members.values_list("pk", flat=True))
    candidates = [customer.controller] if customer.controller_id else []
    for person in [*candidates, *managers_of(company)]:
        if person.is_active and person.pk in members and can_work_customers(person):
            return person
    raise ValidationError(
        _(
            "%(customer_account_code)s %(customer_name)s has no controller and %(company)s no credit manager to send the reminder under; it waits on the work list for a person."
        )
        % {
            "customer_account_code": customer.account_code,
            "customer_name": customer.name,
            "company": company,
        }
    )


def _owner(user: Any, customer: Customer) -> Any:
    """The to-do's owner: the customer's controller when they work on the company, else the
    person executing (or the worker's stand-in)."""
    controller = customer.controller
    company = customer.company
    if (
        controller is not None
        and controller.is_active
        and company.members.filter(pk=controller.pk).exists()
        and can_work_customers(controller)
    ):
        return controller
    return user if user is not None else _stand_in(customer)


def _record_levels(user: Any, p: Proposal, lines: list[ProposalEntry], as_of: dt.date,
                   source: str) -> None:  # fmt: skip
    """Raise each entry's last executed level to its line's level (never lower it), audited."""
    wanted = {line.entry_id: line.level for line in lines if line.level}
    current = {e.pk: e for e in LedgerEntry.objects.select_for_update().filter(pk__in=list(wanted))}
    events, by_level = [], {}
    for entry_id, level in sorted(wanted.items()):
        before = current[entry_id].followup_level
        if before >= level or current[entry_id].followup_level_on == as_of:
            continue  # levels only climb, and at most one a day
        by_level.setdefault(level, []).append(entry_id)
        events.append(audit_event(
            user=user, obj=current[entry_id], source=source,
            action=AuditEvent.Action.UPDATE,
            before={"followup_level": before},
            after={"followup_level": level, "followup_level_on": as_of.isoformat(),
                   "proposal": p.pk},
        ))  # fmt: skip
    if by_level:  # one statement, whatever the number of entries or levels
        LedgerEntry.objects.filter(pk__in=[pk for ids in by_level.values() for pk in ids]).update(
            followup_level=Case(*(When(pk__in=ids, then=Value(level))
                                  for level, ids in sorted(by_level.items()))),
            followup_level_on=as_of,
        )  # fmt: skip
    audit_bulk(events)


def _history(user: Any, p: Proposal, lines: list[ProposalEntry], as_of: dt.date, channel: str,
             note: str = "") -> FollowUpAction:  # fmt: skip
    total = sum((max(line.entry.remaining_lcy - line.disputed_lcy, ZERO) for line in lines), ZERO)
    action = FollowUpAction.objects.create(
        company_id=p.company_id, customer_id=p.customer_id, proposal=p, level=p.level,
        level_sequence=p.level.sequence, level_name=p.level.name, channel=channel, on=as_of,
        by=user, total_lcy=total, note=note,
    )  # fmt: skip
    FollowUpActionEntry.objects.bulk_create(
        FollowUpActionEntry(action=action, entry_id=line.entry_id, level=line.level,
                            remaining_lcy=line.entry.remaining_lcy)
        for line in lines
    )  # fmt: skip
    return action


def _close(user: Any, p: Proposal, status: str, source: str) -> None:
    before = snapshot(p)
    p.status, p.postponed_until = status, None
    p.closed_at, p.closed_by = timezone.now(), user
    p.save(update_fields=["status", "postponed_until", "closed_at", "closed_by", "updated_at"])
    audit_record(user=user, obj=p, action=AuditEvent.Action.UPDATE, source=source,
                 before={"status": before["status"]}, after={"status": status})  # fmt: skip
    # Its history and its entries' levels changed: the next run looks at the customer again.
    customers_changed(company_id=p.company_id, customer_ids=[p.customer_id])


def _communication(p: Proposal, person: Any, user: Any, contact_type: str, subject: str,
                   notes: str, entries: list[LedgerEntry], contact: Any,
                   source: str) -> Communication:  # fmt: skip
    now = timezone.now()
    c = Communication(
        company_id=p.company_id, customer=p.customer,
        communication_type=CommunicationType.CORRESPONDENCE, contact_type=contact_type,
        subject=subject[:200], occurred_at=now, our_contact=person, contact=contact,
        letter_style=p.level.letter_style if contact_type == ContactType.LETTER_SENT else "",
        notes=notes, balance_lcy=customer_balance_lcy(p.customer), completed_at=now,
        completed_by=user, source=source, created_by=user,
    )  # fmt: skip
    c.full_clean(exclude=["entries"])
    c.save()
    c.entries.set(entries)
    audit_record(user=user, obj=c, action=AuditEvent.Action.CREATE, source=source,
                 after={**snapshot(c), "entries": [e.pk for e in entries]})  # fmt: skip
    return c


def _todo(p: Proposal, owner: Any, user: Any, entries: list[LedgerEntry], as_of: dt.date,
          source: str) -> ToDo:  # fmt: skip
    level = p.level
    todo = ToDo(
        company_id=p.company_id, customer=p.customer, kind=ToDoKind.FOLLOWUP_LEVEL,
        description=(level.manual_action_note or level.name)[:300], due_on=as_of, owner=owner,
        notes=_("Follow-up level %(sequence)s: %(name)s") % {"sequence": level.sequence,
                                                            "name": level.name},
        created_by=user,
    )  # fmt: skip
    todo.full_clean(exclude=["entries"])
    todo.save()
    todo.entries.set(entries)
    audit_record(user=user, obj=todo, action=AuditEvent.Action.CREATE, after=snapshot(todo),
                 source=source)  # fmt: skip
    return todo


def _main_channel(level: FollowUpLevel) -> str:
    """The history line's channel: the strongest thing the level does."""
    if level.send_letter:
        return Channel.LETTER
    if level.send_email:
        return Channel.EMAIL
    return Channel.MANUAL


def _execute(*, proposal: Proposal, user: Any, as_of: dt.date, source: str,
             texts: dict[str, str | None]) -> FollowUpAction:  # fmt: skip
    """Steps, in the caller's transaction:

    1. Lock the proposal; refuse one no longer live, and check who may execute it.
    2. Apply edited texts; keep the lines whose entries are still to be chased.
    3. Record the levels on the entries and the history line with its entries.
    4. For an email and a letter: a completed communication each and an outbox row each
       (texts filled with the placeholders); for a manual action: the to-do.
    5. Mark the proposal executed; the outbox is delivered once this commits.
    """
    p = _locked(proposal)
    _check_access(user, p)
    if user is None and p.status != ProposalStatus.OPEN:
        raise ValidationError(_("A person postponed this proposal; the worker leaves it be."))
    if any(value is not None for value in texts.values()):
        _apply_texts(user, p, texts, source)
    level, customer = p.level, p.customer
    if customer.is_excluded_on(as_of):
        raise ValidationError(
            _("%(customer)s is now excluded from follow-ups; nothing was sent.")
            % {"customer": customer}
        )
    lines = lines_to_send(p, as_of)
    if not any(line.level for line in lines):
        raise ValidationError(
            _(
                "The entries this proposal was made for have been paid, excluded or given a later "
                "expected payment date since the run; nothing was sent."
            )
        )
    person = user if user is not None else _stand_in(customer)
    recipients, copies = placeholders.reminder_addresses(customer) if level.send_email else ([], [])
    if level.send_email and not recipients:
        raise ValidationError(
            _(
                "%(customer)s has no email address (neither a credit-control contact with one nor the customer's own): add one, or skip the proposal."
            )
            % {"customer": customer}
        )
    entries = [line.entry for line in lines]
    contact = placeholders.credit_contact(customer)

    texts = languages.proposal_texts(p)
    known: dict[str, str] = {}

    def filled(text: str) -> str:
        if not known:  # the values once for every text, in the customer's language
            with languages.in_language(customer):
                known.update(placeholders.values(customer=customer, entries=entries,
                                                 as_of=as_of, contact=contact,
                                                 controller=person))  # fmt: skip
        return placeholders.substitute(text, known)

    _record_levels(user, p, lines, as_of, source)
    action = _history(user, p, lines, as_of, _main_channel(level))
    common = {"company": p.company, "customer": customer, "as_of": as_of, "level": level,
              "entries": entries, "action": action, "user": user}  # fmt: skip
    if level.send_email:
        subject = filled(texts["email_subject"])[:200]
        body = filled(texts["email_body"])
        email = _communication(p, person, user, ContactType.EMAIL_SENT, subject, body, entries,
                               contact, source)  # fmt: skip
        action.communication = email
        outbox_enqueue(kind=OutboxMessage.Kind.EMAIL, key=f"proposal:{p.pk}:email",
                       to=recipients, cc=copies,
                       subject=subject, body=body, attach_statement=True,
                       attach_copies=level.attach_invoice_copies, communication=email,
                       **common)  # fmt: skip
    if level.send_letter:
        text = filled(texts["letter_text"])
        letter = _communication(p, person, user, ContactType.LETTER_SENT,
                                f"{level.name} (letter)", text, entries, contact, source)  # fmt: skip
        action.communication = action.communication or letter
        outbox_enqueue(kind=OutboxMessage.Kind.LETTER, key=f"proposal:{p.pk}:letter", to=[],
                       subject=level.name, body=text, communication=letter, **common)  # fmt: skip
    if level.manual_action:
        action.todo = _todo(p, _owner(user, customer), user, entries, as_of, source)
    action.save(update_fields=["communication", "todo"])
    _close(user, p, ProposalStatus.EXECUTED, source)
    event_emit(kind=EventKind.PROPOSAL_EXECUTED, company_id=p.company_id, customer_id=customer.pk,
               proposal=p.pk, level=level.sequence, level_name=level.name,
               channels=level.channels, entries=[e.pk for e in entries],
               total_lcy=action.total_lcy)  # fmt: skip
    if level.send_email or level.send_letter:
        _deliver_after_commit()
    return action


def _deliver_after_commit() -> None:
    from .tasks import deliver_outbox  # the tasks import this module

    enqueue(deliver_outbox, once=True)


def _apply_texts(user: Any, p: Proposal, texts: dict[str, str | None], source: str) -> None:
    before = snapshot(p)
    for name, value in texts.items():
        if value is not None:
            setattr(p, name, value.strip() if name == "email_subject" else value)
    if len(p.email_subject) > 200:
        raise ValidationError({"email_subject": _("The subject can be at most 200 characters.")})
    changed = {k for k in texts if getattr(p, k) != before[k]}
    if not changed:
        return
    p.texts_edited = True
    p.save(update_fields=[*sorted(changed), "texts_edited", "updated_at"])
    audit_record(user=user, obj=p, action=AuditEvent.Action.UPDATE, source=source,
                 before={k: before[k] for k in changed},
                 after={k: getattr(p, k) for k in changed})  # fmt: skip


@transaction.atomic
def proposal_execute(*, user: Any, proposal: Proposal, email_subject: str | None = None,
                     email_body: str | None = None, letter_text: str | None = None,
                     source: str = "web") -> FollowUpAction:  # fmt: skip
    """Execute a proposal now (texts given replace the proposal's first); ``user`` None is
    the worker executing a level marked automatic."""
    texts = {"email_subject": email_subject, "email_body": email_body, "letter_text": letter_text}
    return _execute(proposal=proposal, user=user, as_of=proposal.company.today(),
                    source=source if user is not None else WORKER_SOURCE, texts=texts)  # fmt: skip


def proposals_execute(
    *, user: Any, proposals: Iterable[Proposal], source: str = "web"
) -> tuple[list[FollowUpAction], list[tuple[Proposal, str]]]:
    """Execute several proposals, each in its own transaction: one refused (already done,
    paid since, no email address) is reported and does not hold the others back. Access to
    every proposal is checked before any is executed."""
    proposals = list(proposals)
    for p in proposals:
        require_company(user, p.company, check=can_work_customers)
    done, refused = [], []
    for p in proposals:
        try:
            done.append(proposal_execute(user=user, proposal=p, source=source))
        except ValidationError as error:
            refused.append((p, " ".join(error.messages)))
    return done, refused


@transaction.atomic
def proposal_texts_update(*, user: Any, proposal: Proposal, email_subject: str, email_body: str,
                          letter_text: str, source: str = "web") -> Proposal:  # fmt: skip
    """Edit the texts a proposal will send (a later run keeps edited texts)."""
    require_company(user, proposal.company, check=can_work_customers)
    p = _locked(proposal)
    _apply_texts(user, p, {"email_subject": email_subject, "email_body": email_body,
                           "letter_text": letter_text}, source)  # fmt: skip
    return p


@transaction.atomic
def proposal_skip(*, user: Any, proposal: Proposal, note: str = "",
                  source: str = "web") -> FollowUpAction:  # fmt: skip
    """Skip a proposal: nothing is sent, but each entry's level is recorded so that it climbs
    to the next level next time (history channel "skipped", not counted as a reminder)."""
    require_company(user, proposal.company, check=can_work_customers)
    p = _locked(proposal)
    as_of = p.company.today()
    lines = lines_to_send(p, as_of)
    _record_levels(user, p, lines, as_of, source)
    action = _history(user, p, lines, as_of, Channel.SKIPPED, note=(note or "").strip())
    _close(user, p, ProposalStatus.SKIPPED, source)
    return action


@transaction.atomic
def proposal_postpone(*, user: Any, proposal: Proposal, until: dt.date,
                      source: str = "web") -> Proposal:  # fmt: skip
    """Put a proposal aside until a date (tomorrow up to a year on): the work list hides it
    until then."""
    require_company(user, proposal.company, check=can_work_customers)
    p = _locked(proposal)
    today = p.company.today()
    if until is None:
        raise ValidationError({"until": _("Give the date to postpone it to.")})
    check_date(until, "until", earliest=today + dt.timedelta(days=1),
               latest=add_months(today, 12), what="date to postpone to")  # fmt: skip
    before = snapshot(p)
    p.status, p.postponed_until = ProposalStatus.POSTPONED, until
    p.save(update_fields=["status", "postponed_until", "updated_at"])
    audit_record(user=user, obj=p, action=AuditEvent.Action.UPDATE, source=source,
                 before={k: before[k] for k in ("status", "postponed_until")},
                 after={"status": p.status, "postponed_until": until.isoformat()})  # fmt: skip
    return p


def proposals_execute_automatic(*, company: Any, as_of: dt.date) -> int:
    """After a run: the worker executes the company's open proposals whose level is marked
    automatic, each in its own transaction; one it cannot execute (see the module's
    decisions) stays on the work list. Returns how many it executed."""
    ids = list(
        Proposal.objects.filter(company=company, status=ProposalStatus.OPEN,
                                level__execute_automatically=True)
        .order_by("pk").values_list("pk", flat=True)
    )  # fmt: skip
    executed = 0
    for pk in ids:
        try:
            with transaction.atomic():
                proposal = Proposal.objects.select_related("level").get(pk=pk)
                _execute(proposal=proposal, user=None, as_of=as_of, source=WORKER_SOURCE,
                         texts={})  # fmt: skip
            executed += 1
        except ValidationError as error:
            logger.warning("Automatic proposal %s not executed: %s", pk, " ".join(error.messages))
    return executed
