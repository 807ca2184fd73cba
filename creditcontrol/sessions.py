"""Sessions that end after ``SESSION_COOKIE_AGE`` seconds without use (8 hours by default).

Django's session expires a fixed time after it was last saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) would cost a write per request; instead a used session is
saved again once ``RENEW_AFTER`` has passed since it was last renewed, so the idle limit
holds to within that margin at the cost of one write every few minutes of use.
"""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

KEY = "_renewed_at"
RENEW_AFTER = 300


def _stamp(session) -> None:
    session[KEY] = int(time.time())


@receiver(user_logged_in)
def _stamp_at_sign_in(sender, request, user, **kwargs):
    if hasattr(request, "session"):
        _stamp(request.session)


class IdleSessionMiddleware:
    """Renew a signed-in session's expiry when it is used (at most every RENEW_AFTER s)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None:
            renewed = session.get(KEY)
            if renewed is not None and time.time() - renewed > RENEW_AFTER:
                _stamp(session)
        return self.get_response(request)
