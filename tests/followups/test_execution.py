"""Executing, skipping and postponing proposals (followups/execution.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import Communication, ToDo, ToDoKind
from creditcontrol import roles
from followups.engine import run_followups
from followups.execution import (
    proposal_execute,
    proposal_postpone,
    proposal_skip,
    proposal_texts_update,
    proposals_execute,
    proposals_execute_automatic,
)
from followups.models import (
    Channel,
    Document,
    FollowUpAction,
    OutboxMessage,
    Proposal,
    ProposalStatus,
)
from followups.outbox import outbox_deliver
from followups.plans import plan_for
from ledger.models import AuditEvent, LedgerEntry
from tests.factories import ContactFactory, EntryFactory, proposal_with_lines, user_in

TODAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def colin(company):
    return user_in(company, roles.CONTROLLER, username="colin", first_name="Colin",
                   last_name="Kerr")  # fmt: skip


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer, first_name="Jo", last_name="Payable",
                          email="jo@bolt.example", is_credit_contact=True)  # fmt: skip


def entry_levels() -> dict[int, int]:
    """The last follow-up level executed, by entry id, of the entries that have one."""
    return dict(
        LedgerEntry.objects.filter(followup_level__gt=0).values_list("pk", "followup_level")
    )


def invoice(customer, days_late: int, amount: str = "100.00", **kwargs):
    due = TODAY - dt.timedelta(days=days_late)
    return EntryFactory(customer=customer, due_date=due, document_date=due - dt.timedelta(days=30),
                        amount=Decimal(amount), **kwargs)  # fmt: skip


@pytest.fixture
def entries(customer):
    """Three invoices: 25 days late (its next level 3), 10 days late (its next level 2),
    3 days late (only overdue: no level due for it)."""
    return [invoice(customer, 25, "300.00"), invoice(customer, 10, "200.00"),
            invoice(customer, 3, "50.00")]  # fmt: skip


@pytest.fixture
def proposal(customer, contact, entries):
    """Level 3 of the default plan: telephone call (a to-do) and an email."""
    e1, e2, e3 = entries
    return proposal_with_lines(customer, 3, [(e1, 3), (e2, 2), (e3, None)])


def test_execution_writes_each_thing_once(controller, colin, customer, entries, proposal,
                                          django_capture_on_commit_callbacks):  # fmt: skip
    customer.controller = colin
    customer.save()
    e1, e2, e3 = entries
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        action = proposal_execute(user=controller, proposal=proposal)
    assert len(callbacks) == 1  # the outbox delivery, after the commit

    assert entry_levels() == {e1.pk: 3, e2.pk: 2}
    assert FollowUpAction.objects.get() == action
    assert (action.channel, action.by, action.level_sequence, action.on) == (
        Channel.EMAIL, controller, 3, TODAY,
    )  # fmt: skip
    assert action.total_lcy == Decimal("550.00")
    assert sorted(action.lines.values_list("entry_id", "level")) == sorted(
        [(e1.pk, 3), (e2.pk, 2), (e3.pk, None)]
    )
    c = Communication.objects.get()
    assert action.communication == c
    assert (c.communication_type, c.contact_type, c.our_contact, c.contact.email) == (
        "correspondence", "email_sent", controller, "jo@bolt.example",
    )  # fmt: skip
    assert c.completed_at is not None and c.entries.count() == 3
    todo = ToDo.objects.get()
    assert action.todo == todo
    assert (todo.kind, todo.owner, todo.due_on) == (ToDoKind.FOLLOWUP_LEVEL, colin, TODAY)
    assert todo.description == "Telephone the customer about the overdue invoices"
    assert todo.entries.count() == 3

    message = OutboxMessage.objects.get()
    assert message.key == f"proposal:{proposal.pk}:email"
    assert (message.to, message.attach_statement, message.action) == (
        ["jo@bolt.example"], True, action,
    )  # fmt: skip
    assert "{" not in message.subject + message.body
    assert "Acme Trading Ltd" in message.subject and "Dear Jo Payable" in message.body
    assert message.entries.count() == 3
    proposal.refresh_from_db()
    assert (proposal.status, proposal.closed_by) == (ProposalStatus.EXECUTED, controller)

    # Delivered once the transaction committed: one email, the statement attached.
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["jo@bolt.example"] and sent.subject == message.subject
    assert sent.attachments[0][2] == "application/pdf"

    levels = AuditEvent.objects.filter(
        model="ledger.ledgerentry", after__has_key="followup_level"
    ).order_by("object_id")
    assert [(a.object_id, a.user, a.before, a.after["followup_level"]) for a in levels] == [
        (e1.pk, controller, {"followup_level": 0}, 3), (e2.pk, controller, {"followup_level": 0}, 2),
    ]  # fmt: skip


def test_each_entry_records_its_own_next_level_and_levels_only_climb(controller, customer,
                                                                   entries, proposal):  # fmt: skip
    e1, e2, _ = entries
    yesterday = TODAY - dt.timedelta(days=1)
    LedgerEntry.objects.filter(pk=e1.pk).update(followup_level=2, followup_level_on=yesterday)
    LedgerEntry.objects.filter(pk=e2.pk).update(followup_level=3, followup_level_on=yesterday)
    proposal_execute(user=controller, proposal=proposal)
    assert entry_levels() == {e1.pk: 3, e2.pk: 3}
    event = AuditEvent.objects.get(model="ledger.ledgerentry", after__has_key="followup_level")
    assert (event.object_id, event.before, event.after["followup_level"]) == (
        e1.pk, {"followup_level": 2}, 3,
    )  # fmt: skip


def test_an_entry_never_climbs_two_levels_on_one_day(controller, customer, entries, proposal):
    e1, _, _ = entries
    LedgerEntry.objects.filter(pk=e1.pk).update(followup_level=2, followup_level_on=TODAY)
    proposal_execute(user=controller, proposal=proposal)
    assert entry_levels()[e1.pk] == 2


def test_executing_twice_is_refused_and_sends_nothing_more(controller, colin, proposal):
    proposal_execute(user=controller, proposal=proposal)
    with pytest.raises(ValidationError, match="already been executed"):
        proposal_execute(user=colin, proposal=proposal)
    assert FollowUpAction.objects.count() == 1
    assert OutboxMessage.objects.count() == Communication.objects.count() == 1


def test_an_entry_paid_since_the_run_is_left_out(controller, customer, entries, proposal):
    e1, e2, e3 = entries
    type(e2).objects.filter(pk=e2.pk).update(remaining=0, remaining_lcy=0)
    action = proposal_execute(user=controller, proposal=proposal)
    assert sorted(action.lines.values_list("entry_id", flat=True)) == sorted([e1.pk, e3.pk])
    assert entry_levels() == {e1.pk: 3}
    assert OutboxMessage.objects.get().entries.count() == 2
    assert action.total_lcy == Decimal("350.00")


def test_a_proposal_whose_due_entries_were_all_paid_is_refused(controller, entries, proposal):
    e1, e2, _ = entries
    type(e1).objects.filter(pk__in=[e1.pk, e2.pk]).update(remaining=0, remaining_lcy=0)
    with pytest.raises(ValidationError, match="paid, excluded or given a later"):
        proposal_execute(user=controller, proposal=proposal)
    assert not FollowUpAction.objects.exists() and not entry_levels()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_a_letter_is_queued_and_rendered_to_a_stored_document(controller, customer, contact,
                                                              entries):  # fmt: skip
    e1, _, _ = entries
    proposal = proposal_with_lines(customer, 4, [(e1, 4)])  # formal letter, firm style
    action = proposal_execute(user=controller, proposal=proposal)
    assert action.channel == Channel.LETTER
    c = Communication.objects.get()
    assert (c.contact_type, c.letter_style) == ("letter_sent", "firm")
    message = OutboxMessage.objects.get()
    assert (message.kind, message.key, message.to) == (
        "letter",
        f"proposal:{proposal.pk}:letter",
        [],
    )
    assert outbox_deliver() == 1
    document = Document.objects.get()
    assert (document.action, document.kind, document.customer) == (action, "letter", customer)
    assert bytes(document.content).startswith(b"%PDF")
    assert not mail.outbox


def test_an_email_without_any_address_is_refused(controller, customer, entries):
    e1, _, _ = entries
    proposal = proposal_with_lines(customer, 2, [(e1, 2)])
    with pytest.raises(ValidationError, match="has no email address"):
        proposal_execute(user=controller, proposal=proposal)
    assert not OutboxMessage.objects.exists() and not entry_levels()


def test_outsiders_and_roles_without_customer_work_are_refused(outsider, integrator, proposal):
    for user in (outsider, integrator):
        with pytest.raises(PermissionDenied):
            proposal_execute(user=user, proposal=proposal)
        with pytest.raises(PermissionDenied):
            proposal_skip(user=user, proposal=proposal)
        with pytest.raises(PermissionDenied):
            proposal_postpone(user=user, proposal=proposal, until=TODAY + dt.timedelta(days=3))
    assert not FollowUpAction.objects.exists()


def test_edited_texts_are_what_is_sent(controller, proposal):
    proposal_texts_update(user=controller, proposal=proposal, email_subject="About {customer}",
                          email_body="Hello {contact}, {total} please.", letter_text="")  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.texts_edited
    proposal_execute(user=controller, proposal=proposal)
    message = OutboxMessage.objects.get()
    assert message.subject == "About Bolt & Nut Ltd"
    assert message.body.startswith("Hello Jo Payable, ")
    assert AuditEvent.objects.filter(
        model="followups.proposal", after__has_key="email_subject"
    ).exists()


def test_texts_given_at_execution_replace_the_proposals(controller, proposal):
    proposal_execute(user=controller, proposal=proposal, email_subject="Pay now",
                     email_body="Body {company}")  # fmt: skip
    message = OutboxMessage.objects.get()
    assert (message.subject, message.body) == ("Pay now", "Body Acme Trading Ltd")


def test_skip_records_levels_without_sending(controller, entries, proposal):
    e1, e2, _ = entries
    action = proposal_skip(user=controller, proposal=proposal, note="Agreed on the phone")
    assert (action.channel, action.note) == (Channel.SKIPPED, "Agreed on the phone")
    assert entry_levels() == {e1.pk: 3, e2.pk: 2}
    assert not OutboxMessage.objects.exists()
    assert not Communication.objects.exists() and not ToDo.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SKIPPED
    with pytest.raises(ValidationError, match="was skipped"):
        proposal_execute(user=controller, proposal=proposal)


def test_a_skipped_level_is_not_a_reminder_for_the_minimum_interval(controller, customer,
                                                                    contact):  # fmt: skip
    """Skipped on D, the entry climbs to the next level on D+1; sent on D, the plan's
    seven days between reminders hold the customer back. (Fifty days late when first seen,
    it starts past the courtesy level 1.)"""
    plan_for(customer.company)
    invoice(customer, 50)
    run_followups(company=customer.company, as_of=TODAY, trigger="command")
    assert Proposal.objects.get().level.sequence == 2
    proposal_skip(user=controller, proposal=Proposal.objects.get())
    run_followups(company=customer.company, as_of=TODAY + dt.timedelta(days=1), trigger="command")
    second = Proposal.objects.get(status="open")
    assert second.level.sequence == 3
    proposal_execute(user=controller, proposal=second)
    run_followups(company=customer.company, as_of=TODAY + dt.timedelta(days=2), trigger="command")
    assert not Proposal.objects.filter(status="open").exists()


def test_postpone_hides_it_until_a_date_within_a_year(controller, proposal):
    with pytest.raises(ValidationError, match="cannot be before 24 Nov 2026"):
        proposal_postpone(user=controller, proposal=proposal, until=TODAY)
    with pytest.raises(ValidationError, match="cannot be after 23 Nov 2027"):
        proposal_postpone(user=controller, proposal=proposal, until=dt.date(2027, 11, 24))
    p = proposal_postpone(user=controller, proposal=proposal, until=dt.date(2027, 11, 23))
    assert (p.status, p.postponed_until) == (ProposalStatus.POSTPONED, dt.date(2027, 11, 23))
    p = proposal_postpone(user=controller, proposal=proposal, until=TODAY + dt.timedelta(days=1))
    assert p.postponed_until == dt.date(2026, 11, 24)
    # Still live: a person may execute it before the date.
    proposal_execute(user=controller, proposal=proposal)
    with pytest.raises(ValidationError, match="already been executed"):
        proposal_postpone(user=controller, proposal=proposal, until=dt.date(2026, 12, 1))


def test_bulk_execution_reports_the_refused_and_carries_on(controller, customer, contact,
                                                          entries):  # fmt: skip
    first = proposal_with_lines(customer, 2, [(entries[1], 2)])
    proposal_execute(user=controller, proposal=first)
    other = ContactFactory(is_credit_contact=True, customer__company=customer.company)
    second = proposal_with_lines(other.customer, 2, [(invoice(other.customer, 10), 2)])
    done, refused = proposals_execute(user=controller, proposals=[first, second])
    assert [a.customer_id for a in done] == [other.customer_id]
    assert refused == [(first, "This proposal has already been executed; nothing was sent again.")]


def test_bulk_execution_checks_every_proposal_before_executing_any(controller, outsider,
                                                                  proposal):  # fmt: skip
    with pytest.raises(PermissionDenied):
        proposals_execute(user=outsider, proposals=[proposal])
    assert not FollowUpAction.objects.exists()


def test_the_worker_executes_automatic_levels_under_the_customers_controller(
    company, colin, manager, customer, contact, entries
):
    customer.controller = colin
    customer.save()
    automatic = proposal_with_lines(customer, 1, [(entries[2], 1)])
    other = ContactFactory(is_credit_contact=True, customer__company=company)
    by_hand = proposal_with_lines(other.customer, 2, [(invoice(other.customer, 10), 2)])
    assert proposals_execute_automatic(company=company, as_of=TODAY) == 1
    action = FollowUpAction.objects.get()
    assert (action.proposal, action.by) == (automatic, None)
    assert Communication.objects.get().our_contact == colin
    by_hand.refresh_from_db()
    assert by_hand.status == ProposalStatus.OPEN
    assert AuditEvent.objects.filter(source="worker", user=None).exists()


def test_the_worker_falls_back_to_a_manager_then_leaves_it_for_a_person(
    company, manager, customer, contact, entries
):
    proposal_with_lines(customer, 1, [(entries[2], 1)])
    assert proposals_execute_automatic(company=company, as_of=TODAY) == 1
    assert Communication.objects.get().our_contact == manager

    lone = ContactFactory(is_credit_contact=True, customer__company=company).customer
    manager.groups.clear()
    stays = proposal_with_lines(lone, 1, [(invoice(lone, 2), 1)])
    assert proposals_execute_automatic(company=company, as_of=TODAY) == 0
    stays.refresh_from_db()
    assert stays.status == ProposalStatus.OPEN


def test_the_worker_leaves_postponed_proposals_and_manual_levels_alone(
    company, manager, customer, contact, entries
):
    proposal = proposal_with_lines(customer, 1, [(entries[2], 1)])
    proposal_postpone(user=manager, proposal=proposal, until=TODAY + dt.timedelta(days=2))
    assert proposals_execute_automatic(company=company, as_of=TODAY) == 0
    other = ContactFactory(is_credit_contact=True, customer__company=company).customer
    manual = proposal_with_lines(other, 2, [(invoice(other, 10), 2)])
    with pytest.raises(PermissionDenied, match="marked automatic"):
        proposal_execute(user=None, proposal=manual)
    assert not FollowUpAction.objects.exists()


def test_a_failure_halfway_writes_nothing(controller, entries, proposal, monkeypatch):
    def broken(**kwargs):
        raise ValidationError("The outbox is unavailable.")

    monkeypatch.setattr("followups.execution.outbox_enqueue", broken)
    with pytest.raises(ValidationError, match="outbox is unavailable"):
        proposal_execute(user=controller, proposal=proposal)
    assert not entry_levels() and not FollowUpAction.objects.exists()
    assert not Communication.objects.exists() and not ToDo.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


@pytest.mark.parametrize("extra", [0, 40])
def test_execution_costs_the_same_queries_for_three_entries_or_forty_three(
    controller, customer, entries, extra, django_assert_max_num_queries
):
    """Set-based: the entries are written in bulk, so their number does not add queries."""
    more = [(invoice(customer, 12), 2) for _ in range(extra)]
    proposal = proposal_with_lines(customer, 3, [(entries[0], 3), *more])
    ContactFactory(customer=customer, email="jo@bolt.example", is_credit_contact=True)
    # Two more than before the task outbox: its row is recorded in the same transaction;
    # one more for the mark that tells the next (incremental) run to look at the customer.
    with django_assert_max_num_queries(58):
        action = proposal_execute(user=controller, proposal=proposal)
    assert action.lines.count() == 1 + extra


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_executing_one_proposal_at_once_send_it_once(controller, colin, proposal):
    """The proposal's row lock serialises them: the second finds it executed already."""
    from tests.communications.test_concurrent_workbench import at_once

    outcomes = at_once(
        lambda: proposal_execute(user=controller, proposal=proposal),
        lambda: proposal_execute(user=colin, proposal=proposal),
    )
    assert sorted(outcomes) == ["This proposal has already been executed; nothing was sent again.",
                                "ok"]  # fmt: skip
    assert OutboxMessage.objects.count() == FollowUpAction.objects.count() == 1
    assert len(entry_levels()) == 2
