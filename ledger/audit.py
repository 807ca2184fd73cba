"""The audit trail: who changed a customer, contact, entry or application, when, from what to what.

Services call these helpers explicitly after each write (no signals), so bulk
writes are audited in bulk too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEvent


def _json_value(value: Any, field: models.Field | None = None) -> Any:
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        # 1 and 1.000000 are one rate: compare them as the column stores them.
        return str(value.quantize(Decimal(1).scaleb(-places)) if places is not None else value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audited values of one row: its concrete fields, foreign keys as ids."""
    # Who/when of a hold and the over-limit mark repeat what the audit event itself says.
    skip = {"id", "created_at", "updated_at", "hold_changed_at", "hold_changed_by",
            "over_limit_since"}  # fmt: skip
    return {
        f.attname: _json_value(getattr(obj, f.attname), f)
        for f in obj._meta.concrete_fields
        if f.name not in skip
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def audit_event(
    *,
    user: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source: str = "web",
    company_id: int | None = None,
) -> AuditEvent:
    return AuditEvent(
        user=user if getattr(user, "pk", None) else None,
        company_id=company_id or _company_id(obj),
        action=action,
        model=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        before=before or {},
        after=after or {},
        source=source,
    )


def audit_record(**kwargs: Any) -> AuditEvent | None:
    """Write one audit event; an update that changed nothing writes nothing."""
    event = audit_event(**kwargs)
    if event.action == AuditEvent.Action.UPDATE and not event.after and not event.before:
        return None
    event.save()
    return event


def audit_bulk(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events), batch_size=2000)


def _company_id(obj: models.Model) -> int:
    if hasattr(obj, "company_id"):
        return obj.company_id
    return obj.customer.company_id  # a contact
