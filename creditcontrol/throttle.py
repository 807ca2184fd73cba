"""Sign-in throttling: lock a username, or a client address, after repeated failures.

Counts live in Django's cache (Redis in production, so every web worker shares
them). A failure counts against both the username and the client address; once
either reaches ``settings.LOGIN_FAILURE_LIMIT`` it is locked for
``settings.LOGIN_LOCKOUT_SECONDS``, and while it is locked every attempt is
refused before the password is even checked, so a guessed right password does
not get through. Failures are forgotten ``LOGIN_LOCKOUT_SECONDS`` after the last
one. A successful sign-in clears the username's count but not the address's:
otherwise one valid account would let an attacker reset the address counter.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

PREFIX = "login-throttle"


def client_ip(request: Any) -> str:
    """The client's address. Behind ``LOGIN_TRUSTED_PROXIES`` proxies, read it from
    X-Forwarded-For (the entry the nearest trusted proxy appended), never a spoofable one."""
    proxies = getattr(settings, "LOGIN_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _digest(value: str) -> str:
    # Hashed: cache keys must be short and safe whatever a person types as a username.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(kind: str, value: str) -> tuple[str, str]:
    base = f"{PREFIX}:{kind}:{_digest(value)}"
    return f"{base}:count", f"{base}:locked-until"


def _subjects(username: str, ip: str) -> list[tuple[str, str]]:
    subjects = [("ip", ip)]
    username = (username or "").strip().lower()
    if username:
        subjects.append(("user", username))
    return subjects


@dataclass(frozen=True)
class Lockout:
    """A refusal: how long is left before the next attempt is accepted."""

    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))

    @property
    def message(self) -> str:
        minutes = self.minutes_left
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


def lockout(username: str, ip: str) -> Lockout | None:
    """The lock-out in force for this username or address, if any."""
    now = time.time()
    longest = 0.0
    for kind, value in _subjects(username, ip):
        _count_key, lock_key = _keys(kind, value)
        until = cache.get(lock_key)
        if until is not None and until > now:
            longest = max(longest, until - now)
    return Lockout(seconds_left=math.ceil(longest)) if longest else None


def record_failure(username: str, ip: str) -> Lockout | None:
    """Count a failed attempt; returns the lock-out it starts, if it reaches the limit."""
    limit = settings.LOGIN_FAILURE_LIMIT
    window = settings.LOGIN_LOCKOUT_SECONDS
    for kind, value in _subjects(username, ip):
        count_key, lock_key = _keys(kind, value)
        # add + incr rather than get + set: two workers failing at once both count.
        cache.add(count_key, 0, timeout=window)
        try:
            count = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, timeout=window)
            count = 1
        cache.touch(count_key, timeout=window)
        if count >= limit:
            cache.set(lock_key, time.time() + window, timeout=window)
    return lockout(username, ip)


def record_success(username: str) -> None:
    """Forget the username's failures (the address keeps its count)."""
    for kind, value in _subjects(username, ""):
        if kind == "user":
            cache.delete_many(list(_keys(kind, value)))
