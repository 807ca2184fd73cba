"""The API answers JSON whatever happens: a body over the size limit is a 413 with a
message before anything reads it, and an error no view handled is a JSON 500 (in
production; with DEBUG on, Django's debug page shows the traceback)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from .outage import API_PREFIX, error_response, json_error

log = logging.getLogger("django.request")


def too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return json_error(
        413,
        _(
            "The request body is too large: at most %(megabytes).0f MB is accepted "
            "(a sync batch of 10,000 rows fits). Split it into smaller requests."
        )
        % {"megabytes": limit / 1024 / 1024},
    )


class ApiErrorsMiddleware:
    """JSON 413 for over-large API bodies; JSON 500 (503: the database is out of reach) for
    an unhandled API error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if limit is not None and length > limit:
                return too_large()
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return too_large()
        # What Django answers itself (404, 403, 400) is not an unhandled error: the same
        # answer, in JSON.
        if isinstance(exception, Http404):
            return json_error(404, str(exception) or _("Not found."))
        if isinstance(exception, PermissionDenied):
            return json_error(403, str(exception) or _("You may not do this."))
        if isinstance(exception, SuspiciousOperation | BadRequest):
            return json_error(400, _("The request could not be read."))
        if settings.DEBUG:
            return None
        # A 503 when the database is out of reach, else a 500 (creditcontrol/outage.py).
        response = error_response(request, exception)
        log.error("%s: %s", response.reason_phrase, request.path, exc_info=exception,
                  extra={"status_code": response.status_code, "request": request})  # fmt: skip
        return response
