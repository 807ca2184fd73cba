"""Template context for every page: the signed-in user's unread notifications."""

from __future__ import annotations

from typing import Any

from .models import Notification


def notifications(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"notifications_unread": Notification.objects.for_user(user).unread().count()}
