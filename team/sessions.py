"""Sign out everywhere: each session remembers when it signed in; a session older than
the person's ``SignOutMark`` is ended (sessions may live in the database or in Redis, so
they are not searched and deleted).

The mark is read at most once a minute per session, not on every request (pages keep
their query caps): another session ends within a minute. Deactivating a user ends
their sessions at once (Django refuses an inactive user on the next request)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from .models import SignOutMark

SIGNED_IN_AT = "team_signed_in_at"
CHECKED_AT = "team_mark_checked_at"
CHECK_EVERY = 60  # seconds


def remember_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SIGNED_IN_AT] = now
        request.session[CHECKED_AT] = now


class SignOutEverywhereMiddleware:
    """Ends a session begun before the user's last "sign out everywhere"."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            if now - session.get(CHECKED_AT, 0) >= CHECK_EVERY:
                mark = SignOutMark.objects.filter(user_id=user.pk).values_list("at", flat=True)
                mark = mark.first()
                if mark is not None and session.get(SIGNED_IN_AT, 0) < mark.timestamp():
                    logout(request)
                    if not request.path.startswith("/api/"):
                        return redirect("login")
                else:
                    session[CHECKED_AT] = now
        return self.get_response(request)
