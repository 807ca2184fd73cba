"""Sign-in throttling, shared by every way in (``/login/``, ``/admin/login/``, any
authentication backend): django-axes with two limits and a readable refusal.

Why django-axes rather than our own counter: it hooks Django's authentication
signals and backend, so the admin's sign-in and any future backend are counted by
the same rule without each view remembering to call it. Its database handler is
used (not the cache), so that sign-in keeps working while Redis is down.

The rule:

1. A failure counts against the pair (user name, client address). The pair is
   locked after ``LOGIN_FAILURE_LIMIT`` failures, so one person mistyping their
   password behind an office's NAT locks only themselves.
2. The client address alone is locked after ``LOGIN_ADDRESS_FAILURE_LIMIT``
   failures (any user names), high enough for an office behind one address but
   still a stop for someone guessing across many accounts.
3. A lock lasts ``LOGIN_LOCKOUT_SECONDS`` after the last failure; while locked,
   even the right password is refused and further attempts do not extend it.
4. A successful sign-in forgets the pair's failures, never the address's: one
   valid account must not let a guesser reset the address counter.

The client address is ``REMOTE_ADDR`` unless ``LOGIN_TRUSTED_PROXIES`` says how
many proxies we sit behind; then it is the X-Forwarded-For entry the nearest
trusted proxy appended (entries further left are the client's to forge).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def client_ip(request: Any) -> str | None:
    """The client's address. Behind ``LOGIN_TRUSTED_PROXIES`` proxies, read it from
    X-Forwarded-For (the entry the nearest trusted proxy appended), never a spoofable one."""
    proxies = getattr(settings, "LOGIN_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def username_of(request: Any, credentials: dict | None) -> str:
    """The user name as counted: case and surrounding spaces do not make a new one."""
    if credentials:
        name = credentials.get("username") or ""
    else:
        name = getattr(request, "POST", {}).get("username", "") if request else ""
    return str(name).strip().lower()


def failure_limit(request=None, credentials=None) -> int:
    """The pair's limit (read at each attempt, so a test or a settings change applies)."""
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request=None) -> dt.timedelta:
    return dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def _window_start():
    return timezone.now() - cool_off()


def _counts(request, credentials) -> tuple[int, int, Any]:
    """Failures in the window for the pair and for the address, and the latest one."""
    username = get_client_username(request, credentials)
    ip = request.axes_ip_address
    recent = AccessAttempt.objects.filter(attempt_time__gte=_window_start(), ip_address=ip)
    by_address = recent.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    by_pair = recent.filter(username=username).aggregate(
        n=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return by_pair["n"] or 0, by_address["n"] or 0, (by_pair["last"], by_address["last"])


def seconds_left(request, credentials=None) -> int:
    """Seconds until the lock on this request's pair or address lifts (0: not locked)."""
    pair, address, (pair_last, address_last) = _counts(request, credentials)
    ends = []
    if pair >= settings.LOGIN_FAILURE_LIMIT and pair_last:
        ends.append(pair_last + cool_off())
    if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT and address_last:
        ends.append(address_last + cool_off())
    if not ends:
        return 0
    return max(0, math.ceil((max(ends) - timezone.now()).total_seconds()))


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler with the pair and address limits above."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # Axes compares this with one limit (AXES_FAILURE_LIMIT, the pair's); an address
        # over its own limit counts as the pair's limit reached.
        pair, address, _ = _counts(request, credentials)
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.LOGIN_FAILURE_LIMIT)
        return pair

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with the refusal, 429 and Retry-After (admin's too)."""
    seconds = seconds_left(request, credentials) or int(cool_off().total_seconds())
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    response = render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": lockout_message(seconds), "next": ""},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
