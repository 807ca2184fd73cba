"""Build the database rows a rules scenario describes, for the SQL engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from communications.models import Dispute, Promise, PromiseEntry
from followups.models import (
    Channel,
    FollowUpAction,
    FollowUpLevel,
    FollowUpPlan,
    Proposal,
    ProposalStatus,
)
from followups.rules import Plan
from ledger.models import EntryType
from tests.factories import CompanyFactory, CustomerFactory, EntryFactory, UserFactory


def plan_rows(company, plan: Plan) -> FollowUpPlan:
    db_plan = FollowUpPlan.objects.create(
        company=company, min_days_between=plan.min_days_between, min_amount=plan.min_amount,
        pause_while_promised=plan.pause_while_promised,
    )  # fmt: skip
    for number, days in enumerate(plan.level_days, start=1):
        FollowUpLevel.objects.create(
            plan=db_plan, sequence=number, name=f"Level {number}", days=days, send_email=True,
            email_subject=f"Reminder {number}",
        )  # fmt: skip
    return db_plan


def build(scenario, as_of: dt.date, company=None):
    """The company and maps from the scenario's customer and entry ids to the rows' ids."""
    company = company or CompanyFactory()
    db_plan = plan_rows(company, scenario.plan)
    owner = UserFactory()
    customers, entries = {}, {}
    for c in scenario.customers:
        customers[c.id] = CustomerFactory(company=company, exclude_from_followups=c.excluded)
    for e in scenario.entries:
        customer = customers[e.customer_id]
        debit = e.is_debit
        amount = e.remaining if e.remaining != 0 else Decimal("100.00")
        row = EntryFactory(
            customer=customer,
            entry_type=EntryType.INVOICE if debit else EntryType.CREDIT_NOTE,
            document_date=min(e.due_date, as_of) - dt.timedelta(days=30),
            due_date=e.due_date, amount=amount, remaining=e.remaining,
            exclude_forever=e.exclude_forever, exclude_until=e.exclude_until,
            expected_payment_date=e.expected_payment_date, followup_level=e.last_level,
            followup_level_on=(e.last_level_on or as_of - dt.timedelta(days=30))
            if e.last_level else None,
        )  # fmt: skip
        entries[e.id] = row
        if e.disputed:
            Dispute.objects.create(
                company=company, customer=customer, entry=row, amount=e.disputed,
                reason="Price", owner=owner, opened_on=as_of,
            )  # fmt: skip
        if e.has_open_promise:
            promise = _promise(company, customer, e.remaining, as_of)
            PromiseEntry.objects.create(
                promise=promise, entry=row, remaining_at_promise=e.remaining
            )
    for c in scenario.customers:
        customer = customers[c.id]
        if c.has_open_promise:
            _promise(company, customer, Decimal("1.00"), as_of)
        if c.last_reminder_on:
            FollowUpAction.objects.create(
                company=company, customer=customer, channel=Channel.EMAIL, on=c.last_reminder_on
            )
        if c.proposal_closed_on:
            # Made the day before and skipped on the day: what counts is the history's date.
            closed = Proposal.objects.create(
                company=company, customer=customer, level=db_plan.levels.first(),
                run_date=c.proposal_closed_on - dt.timedelta(days=1),
                status=ProposalStatus.SKIPPED,
            )  # fmt: skip
            FollowUpAction.objects.create(
                company=company, customer=customer, proposal=closed, channel=Channel.SKIPPED,
                on=c.proposal_closed_on,
            )  # fmt: skip
    return company, customers, entries


def _promise(company, customer, amount, as_of):
    return Promise.objects.create(
        company=company, customer=customer, currency=company.base_currency, amount=amount,
        amount_lcy=amount, promised_on=as_of + dt.timedelta(days=5),
    )  # fmt: skip


def proposals_as_table(company, customers, entries):
    """The live proposals of ``company`` in the rules' terms (scenario ids, Decimals)."""
    customer_ids = {row.pk: key for key, row in customers.items()}
    entry_ids = {row.pk: key for key, row in entries.items()}
    result = []
    for proposal in (
        Proposal.objects.filter(company=company, status__in=("open", "postponed"))
        .select_related("level")
        .prefetch_related("lines")
        .order_by("customer_id")
    ):
        lines = list(proposal.lines.all())
        result.append((
            customer_ids[proposal.customer_id],
            proposal.level.sequence,
            tuple(sorted(entry_ids[line.entry_id] for line in lines)),
            proposal.total_lcy,
            {entry_ids[line.entry_id]: line.level for line in lines if line.level is not None},
        ))  # fmt: skip
    return sorted(result)
