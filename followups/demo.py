"""Follow-up demo data: each demo company's plan (the default levels), today's run, and a
little history: a few proposals of a run a week ago executed, so that the History tab
and the outbox show something, and one proposal postponed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ledger.models import Company

from .engine import run_followups
from .execution import proposal_execute, proposal_postpone
from .models import FollowUpRun, Proposal, ProposalStatus
from .plans import plan_for

HISTORY_PER_COMPANY = 3


def demo_create(companies: list[Company]) -> list[dict[str, Any]]:
    """Run the engine a week ago, execute a few of its proposals as the customers'
    controllers, then run it today; returns counts per company."""
    summary = []
    for company in companies:
        plan_for(company)
        today = company.today()
        week_ago = today - dt.timedelta(days=7)
        run_followups(company=company, as_of=week_ago, trigger=FollowUpRun.Trigger.COMMAND)
        executed = 0
        for proposal in (
            Proposal.objects.filter(company=company, status=ProposalStatus.OPEN,
                                    customer__controller__isnull=False,
                                    level__send_letter=False, level__manual_action=False)
            .select_related("customer__controller")
            .order_by("-total_lcy")[:HISTORY_PER_COMPANY]
        ):  # fmt: skip
            try:
                with transaction.atomic():
                    proposal_execute(user=proposal.customer.controller, proposal=proposal,
                                     source="demo-followups")  # fmt: skip
            except ValidationError:  # e.g. no email address: it stays on the work list
                continue
            executed += 1
        run = run_followups(company=company, as_of=today, trigger=FollowUpRun.Trigger.COMMAND)
        postponed = (
            Proposal.objects.filter(
                company=company, status=ProposalStatus.OPEN, customer__controller__isnull=False
            )
            .order_by("total_lcy")
            .first()
        )
        if postponed is not None:
            proposal_postpone(user=postponed.customer.controller, proposal=postponed,
                              until=today + dt.timedelta(days=3))  # fmt: skip
        summary.append({"executed": executed, "open": run.proposals_open})
    return summary
