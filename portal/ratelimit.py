"""The self-service page's rate limit: requests per client address per minute, in the cache.

Counted per address whatever the token, so guessing tokens is as slow as using one; the
page answers 429 past ``PORTAL_RATE_PER_MINUTE``.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from creditcontrol.signin import client_ip


def allowed(request: Any) -> bool:
    """Count this request; False once the address passed its limit this minute."""
    minute = int(time.time() // 60)
    ip = hashlib.sha256((client_ip(request) or "unknown").encode()).hexdigest()[:24]
    key = f"portal-rate:{ip}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= settings.PORTAL_RATE_PER_MINUTE
