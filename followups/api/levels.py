"""Changing a company's follow-up plan and its levels: the checks the plan page makes too.

Levels are numbered 1..n without gaps, and a level's days are never fewer than the level
before it (the engine climbs them in that order). ``EntryLevel`` and a proposal's lines
store level *numbers*, so a change that renumbers levels (adding one before others,
moving one, deleting one) is refused once entries have reached the levels it would
renumber: they would otherwise be sent a level again, or skip one. Every change is
audited (who, when, before, after).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from creditcontrol.roles import is_manager
from ledger.audit import audit_bulk, audit_event, audit_record, diff, snapshot
from ledger.models import AuditEvent, LedgerEntry
from ledger.services import require_company

from ..models import (
    LIVE_PROPOSAL,
    FollowUpAction,
    FollowUpLevel,
    FollowUpPlan,
    Proposal,
    ProposalEntry,
)
from ..placeholders import PLACEHOLDER_RE, PLACEHOLDERS

PLAN_FIELDS = {"name", "min_days_between", "min_amount", "pause_while_promised", "pause_on_reply",
               "run_at"}  # fmt: skip
LEVEL_FIELDS = {
    "name", "days", "manual_action", "manual_action_note", "send_email", "email_subject",
    "email_body", "send_letter", "letter_style", "letter_text", "note", "execute_automatically",
    "attach_invoice_copies",
}  # fmt: skip
TEXT_FIELDS = ("email_subject", "email_body", "letter_text", "manual_action_note")
SHIFT = 1000  # levels are parked above this while they are renumbered (sequence is unique)


def _placeholder_errors(text: str) -> str | None:
    """What is wrong with the {placeholders} of a level text, if anything."""
    unknown = sorted({n for n in PLACEHOLDER_RE.findall(text) if n not in PLACEHOLDERS})
    if unknown:
        listed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        return f"Unknown placeholder {{{unknown[0]}}}; use one of {listed}."
    return None


def _check_level(level: FollowUpLevel) -> None:
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        problem = _placeholder_errors(getattr(level, name) or "")
        if problem:
            errors[name] = problem
    if level.send_email and not level.email_subject.strip():
        errors.setdefault("email_subject", "An email needs a subject.")
    if level.send_email and not level.email_body.strip():
        errors.setdefault("email_body", "An email needs a body.")
    if level.send_letter and not level.letter_text.strip():
        errors.setdefault("letter_text", "A letter needs its text.")
    if level.manual_action and not level.manual_action_note.strip():
        errors.setdefault("manual_action_note", "Say what the manual action is (the to-do).")
    if not (level.manual_action or level.send_email or level.send_letter):
        errors["manual_action"] = "Choose at least one action: manual action, email or letter."
    if errors:
        raise ValidationError(errors)
    level.full_clean(exclude=["plan", "sequence"], validate_unique=False)


def _check_order(ordered: list[FollowUpLevel], field: str) -> None:
    for before, after in pairwise(ordered):
        if after.days < before.days:
            raise ValidationError({field: (
                _("“%(after_name)s” would come after “%(before_name)s” but is due sooner (%(after_days)s days against %(before_days)s): a level's days may not be fewer than those of the level before it.") % {'after_name': after.name, 'before_name': before.name, 'after_days': after.days, 'before_days': before.days}
            )})  # fmt: skip


def _check_renumbering(plan: FollowUpPlan, from_sequence: int, field: str) -> None:
    """Refuse to renumber levels ``from_sequence`` and up once entries have reached them."""
    reached = LedgerEntry.objects.filter(
        company_id=plan.company_id, followup_level__gte=from_sequence
    )
    proposed = ProposalEntry.objects.filter(
        proposal__company_id=plan.company_id, proposal__status__in=LIVE_PROPOSAL,
        level__gte=from_sequence,
    )  # fmt: skip
    if reached.exists() or proposed.exists():
        raise ValidationError({field: (
            _('Entries have already reached or been proposed level %(from_sequence)s or a later one; renumbering those levels would send them a level again or skip one. Add new levels at the end, or change the existing levels instead.') % {'from_sequence': from_sequence}
        )})  # fmt: skip


def _locked(plan: FollowUpPlan) -> list[FollowUpLevel]:
    """The plan's levels in order, with the plan row locked so two edits take turns."""
    FollowUpPlan.objects.select_for_update().filter(pk=plan.pk).first()
    return list(FollowUpLevel.objects.filter(plan=plan).order_by("sequence"))


def _place(
    plan: FollowUpPlan,
    ordered: list[FollowUpLevel],
    user: Any,
    source: str,
    *,
    audited_elsewhere: FollowUpLevel | None = None,
) -> None:
    """Give the saved levels of ``ordered`` the sequences 1..n, auditing each move."""
    current = dict(FollowUpLevel.objects.filter(plan=plan).values_list("pk", "sequence"))
    moving = [lv for n, lv in enumerate(ordered, start=1) if current.get(lv.pk) != n]
    if not moving:
        return
    FollowUpLevel.objects.filter(pk__in=[lv.pk for lv in moving]).update(
        sequence=F("sequence") + SHIFT
    )
    for number, level in enumerate(ordered, start=1):
        level.sequence = number
    FollowUpLevel.objects.bulk_update(moving, ["sequence"])
    audit_bulk(
        audit_event(user=user, obj=lv, action=AuditEvent.Action.UPDATE, source=source,
                    before={"sequence": current[lv.pk]}, after={"sequence": lv.sequence},
                    company_id=plan.company_id)
        for lv in moving if lv is not audited_elsewhere
    )  # fmt: skip


def _unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})


@transaction.atomic
def plan_update(*, user: Any, plan: FollowUpPlan, source: str = "web", **fields: Any):
    """Change the plan's options (managers of its company)."""
    require_company(user, plan.company, check=is_manager)
    _unknown(fields, PLAN_FIELDS)
    before = snapshot(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["company"])
    plan.save()
    old, new = diff(before, snapshot(plan))
    audit_record(user=user, obj=plan, action=AuditEvent.Action.UPDATE, before=old, after=new,
                 source=source)  # fmt: skip
    return plan


@transaction.atomic
def level_create(
    *, user: Any, plan: FollowUpPlan, sequence: int | None = None, source: str = "web",
    **fields: Any,
) -> FollowUpLevel:  # fmt: skip
    """Add a level at ``sequence`` (default: after the last); later levels move up one."""
    require_company(user, plan.company, check=is_manager)
    _unknown(fields, LEVEL_FIELDS)
    ordered = _locked(plan)
    position = len(ordered) + 1 if sequence is None else sequence
    if not 1 <= position <= len(ordered) + 1:
        raise ValidationError(
            {"sequence": _('Give a number from 1 to %(len_ordered_1)s (the plan has %(len_ordered)s levels).') % {'len_ordered_1': len(ordered) + 1, 'len_ordered': len(ordered)}}
        )  # fmt: skip
    level = FollowUpLevel(plan=plan, sequence=SHIFT * 3, **fields)  # parked; placed below
    _check_level(level)
    ordered.insert(position - 1, level)
    _check_order(ordered, "days")
    if position <= len(ordered) - 1:
        _check_renumbering(plan, position, "sequence")
    level.save()
    _place(plan, ordered, user, source, audited_elsewhere=level)
    audit_record(user=user, obj=level, action=AuditEvent.Action.CREATE, after=snapshot(level),
                 source=source, company_id=plan.company_id)  # fmt: skip
    return level


@transaction.atomic
def level_update(
    *, user: Any, level: FollowUpLevel, sequence: int | None = None, source: str = "web",
    **fields: Any,
) -> FollowUpLevel:  # fmt: skip
    """Change a level; a new ``sequence`` moves it (the levels between move one place)."""
    plan = level.plan
    require_company(user, plan.company, check=is_manager)
    _unknown(fields, LEVEL_FIELDS)
    ordered = _locked(plan)
    level = next(lv for lv in ordered if lv.pk == level.pk)
    before = snapshot(level)
    for name, value in fields.items():
        setattr(level, name, value)
    _check_level(level)
    old_position = ordered.index(level) + 1
    position = old_position if sequence is None else sequence
    if not 1 <= position <= len(ordered):
        raise ValidationError(
            {
                "sequence": _("Give a number from 1 to %(len_ordered)s.")
                % {"len_ordered": len(ordered)}
            }
        )
    ordered.remove(level)
    ordered.insert(position - 1, level)
    moved = position != old_position
    _check_order(ordered, "sequence" if moved and "days" not in fields else "days")
    if moved:
        _check_renumbering(plan, min(position, old_position), "sequence")
        _place(plan, ordered, user, source, audited_elsewhere=level)
    level.save()
    old, new = diff(before, snapshot(level))
    audit_record(user=user, obj=level, action=AuditEvent.Action.UPDATE, before=old, after=new,
                 source=source, company_id=plan.company_id)  # fmt: skip
    return level


@transaction.atomic
def level_delete(*, user: Any, level: FollowUpLevel, source: str = "web") -> None:
    """Delete a level no proposal or history uses; the later levels move down one."""
    plan = level.plan
    require_company(user, plan.company, check=is_manager)
    ordered = _locked(plan)
    level = next(lv for lv in ordered if lv.pk == level.pk)
    proposals = Proposal.objects.filter(level=level).count()
    actions = FollowUpAction.objects.filter(level=level).count()
    if proposals or actions:
        raise ValidationError({"level": (
            _('“%(level_name)s” is used by %(proposals)s proposal(s) and %(actions)s history line(s); it cannot be deleted. Change its texts or actions instead.') % {'level_name': level.name, 'proposals': proposals, 'actions': actions}
        )})  # fmt: skip
    position = ordered.index(level) + 1
    if position < len(ordered):
        _check_renumbering(plan, position, "level")
    ordered.remove(level)
    audit_record(user=user, obj=level, action=AuditEvent.Action.DELETE, before=snapshot(level),
                 source=source, company_id=plan.company_id)  # fmt: skip
    level.delete()
    _place(plan, ordered, user, source)
