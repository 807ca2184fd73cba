"""Registering endpoints and replaying deliveries: managers and integrators of the company."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from creditcontrol.roles import can_edit_ledger, is_manager
from events.models import EventKind
from events.services import WAKE_KEY
from ledger.audit import audit_record, snapshot
from ledger.models import AuditEvent, Company
from ledger.services import require_company

from .models import Delivery, Endpoint

# The worker renews the flags each run, so an expired or evicted flag costs one minute.
WAKE_SECONDS = 3600


def wake_flag_set(company_ids) -> None:
    """Let the events of these companies wake the worker (``events.services.WAKE_KEY``)."""
    cache.set_many({WAKE_KEY.format(pk): True for pk in company_ids}, timeout=WAKE_SECONDS)


def can_manage_webhooks(user: Any) -> bool:
    return is_manager(user) or can_edit_ledger(user)


def _check_kinds(kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(EventKind.values))
    if unknown:
        raise ValidationError(
            {
                "events": _("Unknown event type: %(join_unknown)s.")
                % {"join_unknown": ", ".join(unknown)}
            }
        )
    return sorted(set(kinds))


@transaction.atomic
def endpoint_create(*, user: Any, company: Company, url: str, events: list[str] | None = None,
                    secret: str = "", description: str = "", source: str = "web") -> Endpoint:  # fmt: skip
    """Register an endpoint; a secret is made when none is given (shown once to the user)."""
    require_company(user, company, check=can_manage_webhooks)
    endpoint = Endpoint(company=company, url=url, events=_check_kinds(events or []),
                        secret=secret or secrets.token_urlsafe(32), description=description,
                        created_by=user)  # fmt: skip
    endpoint.full_clean()
    endpoint.save()
    wake_flag_set([company.pk])
    audit_record(user=user, obj=endpoint, action=AuditEvent.Action.CREATE, source=source,
                 after={k: v for k, v in snapshot(endpoint).items() if k != "secret"})  # fmt: skip
    return endpoint


@transaction.atomic
def endpoint_update(
    *, user: Any, endpoint: Endpoint, source: str = "web", **fields: Any
) -> Endpoint:
    require_company(user, endpoint.company, check=can_manage_webhooks)
    if "events" in fields:
        fields["events"] = _check_kinds(fields["events"] or [])
    for name in ("url", "events", "secret", "description", "is_active"):
        if name in fields:
            setattr(endpoint, name, fields[name])
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, user: Any, endpoint: Endpoint, source: str = "web") -> None:
    require_company(user, endpoint.company, check=can_manage_webhooks)
    audit_record(user=user, obj=endpoint, action=AuditEvent.Action.DELETE, source=source,
                 before={"url": endpoint.url})  # fmt: skip
    endpoint.delete()


@transaction.atomic
def delivery_replay(*, user: Any, delivery: Delivery, source: str = "web") -> Delivery:
    """Send a delivery's event again to its endpoint, as a new delivery (once)."""
    if not can_manage_webhooks(user):
        raise PermissionDenied(_("Your role does not allow replaying webhooks."))
    require_company(user, delivery.endpoint.company, check=can_manage_webhooks)
    first = delivery.replay_of or delivery
    replay = Delivery.objects.create(endpoint=delivery.endpoint, event=delivery.event,
                                     replay_of=first)  # fmt: skip
    from .tasks import deliver_webhooks  # the tasks import this module

    deliver_webhooks.delay_on_commit()
    return replay
