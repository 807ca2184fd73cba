"""Errors no view handled, answered in one place: the database out of reach is a 503, any
other error a 500; a page for people, JSON under /api/; never a traceback.

Django calls ``server_error`` (``handler500``, urls.py) for an exception raised anywhere in
a request, a middleware included: the session's middleware is where a request first
meets a database that is down. The API's middleware (``api_middleware``) hands the errors
of API views here too. So:

1. A connection error (Django's ``OperationalError`` or ``InterfaceError``: PostgreSQL
   stopped, restarting or refusing connections; also a deadlock or a cancelled statement,
   which are as well retried) answers **503 Service Unavailable** with ``Retry-After``.
2. Anything else answers 500.
3. The page needs nothing from the database (no session, no menu), so it renders while
   the database is down. Django logs the error with its traceback.

When the database is back each process carries on by itself: a kept connection is checked
before a request uses it (``CONN_HEALTH_CHECKS``) and a broken one replaced, so the
application need not be restarted.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` says the database is out of reach (or asks to be retried)."""
    return isinstance(error, OperationalError | InterfaceError)


def json_error(status: int, message: str) -> JsonResponse:
    """The API's error shape: ``{"errors": [{"field": "", "message": ...}]}``."""
    return JsonResponse({"errors": [{"field": "", "message": message}]}, status=status)


def error_response(request: HttpRequest, error: BaseException | None) -> HttpResponse:
    """The answer to an unhandled ``error``: 503 for an outage, 500 otherwise."""
    api = request.path.startswith(API_PREFIX)
    if is_outage(error):
        if api:
            response: HttpResponse = json_error(503, _(
                "The service is temporarily unavailable: its database cannot be reached. "
                "Try again in a minute; a write sent with an Idempotency-Key or an external "
                "reference is safe to repeat."
            ))  # fmt: skip
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        return json_error(500, _(
            "Something went wrong on our side; nothing more was done. Try again, and tell "
            "your administrator if it persists."
        ))  # fmt: skip
    return HttpResponse(render_to_string("500.html"), status=500)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the exception."""
    return error_response(request, sys.exc_info()[1])
