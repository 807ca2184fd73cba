"""The customer's self-service link and reply address, made when a reminder needs them.

Decisions:
- A link lives ``PORTAL_LINK_DAYS`` (60 by default). A message sent while the customer's
  newest link has less than half of that left gets a fresh link; the older one keeps
  working until it expires, so an earlier reminder's link is never cut short.
- Tokens are 256 random bits (``secrets.token_urlsafe``), compared by the unique index.
  Revoking ends every live link of the customer at once; the next reminder makes a new one.
- The reply address is ``<REPLY_LOCAL>+<reply_code>@<REPLY_DOMAIN>``; the reply code is a
  separate 80-bit secret that opens nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from creditcontrol.roles import can_work_customers
from ledger.audit import audit_record
from ledger.models import AuditEvent, Customer
from ledger.services import require_company

from .models import CustomerLink


def link_days() -> int:
    return int(getattr(settings, "PORTAL_LINK_DAYS", 60))


def link_for(customer: Customer, *, now: dt.datetime | None = None) -> CustomerLink:
    """A live link of the customer with at least half its life left, made if needed."""
    now = now or timezone.now()
    life = dt.timedelta(days=link_days())
    link = (
        CustomerLink.objects.filter(customer=customer, revoked_at__isnull=True,
                                    expires_at__gt=now + life / 2)
        .order_by("-expires_at").first()
    )  # fmt: skip
    if link is None:
        link = CustomerLink.objects.create(
            company_id=customer.company_id, customer=customer, token=secrets.token_urlsafe(32),
            reply_code=secrets.token_hex(10), created_at=now, expires_at=now + life,
        )  # fmt: skip
    return link


def link_find(token: str, *, now: dt.datetime | None = None) -> CustomerLink | None:
    """The live link with this token, or None (unknown, expired and revoked alike)."""
    if not token or len(token) > 64:
        return None
    link = (
        CustomerLink.objects.select_related("customer__company", "customer__controller")
        .filter(token=token).first()
    )  # fmt: skip
    return link if link is not None and link.is_valid(now) else None


def link_url(link: CustomerLink) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:page", args=[link.token])


def reply_domain() -> str:
    """REPLY_DOMAIN, else the domain of DEFAULT_FROM_EMAIL ("Name <a@b>" or "a@b")."""
    configured = getattr(settings, "REPLY_DOMAIN", "")
    return configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]


def reply_address(link: CustomerLink) -> str:
    local = getattr(settings, "REPLY_LOCAL", "credit")
    return f"{local}+{link.reply_code}@{reply_domain()}"


def customer_by_reply_address(address: str) -> Customer | None:
    """The customer a ``credit+<code>@domain`` address was made for (any age), else None."""
    local, _, domain = (address or "").strip().lower().rpartition("@")
    prefix = getattr(settings, "REPLY_LOCAL", "credit").lower() + "+"
    if not local.startswith(prefix) or domain != reply_domain().lower():
        return None
    code = local[len(prefix) :]
    link = CustomerLink.objects.select_related("customer__company").filter(reply_code=code).first()
    return link.customer if link else None


@transaction.atomic
def links_revoke(*, user: Any, customer: Customer, source: str = "web") -> int:
    """End every live self-service link of the customer now; returns how many."""
    require_company(user, customer.company, check=can_work_customers)
    now = timezone.now()
    n = CustomerLink.objects.filter(
        customer=customer, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    if n:
        audit_record(user=user, obj=customer, action=AuditEvent.Action.UPDATE, source=source,
                     before={}, after={"self_service_links_revoked": n})  # fmt: skip
    return n
