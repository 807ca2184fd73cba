"""Template context for every page: how many unmatched emails wait for the user's team."""

from __future__ import annotations

from typing import Any

from creditcontrol.roles import can_work_customers

from .models import InboundMessage


def unmatched_mail(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or not can_work_customers(user):
        return {}
    return {"unmatched_mail": InboundMessage.objects.visible_to(user).unmatched().count()}
