"""API errors as JSON a person can read: ``{"errors": [{"field": ..., "message": ...}]}``.

DRF's own validation errors keep their per-field shape under ``detail`` too, and
Django's ValidationError / PermissionDenied raised by a service become 400 / 403
rather than a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api_middleware import too_large


def flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error detail into a flat list of {field, message}."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key not in ("non_field_errors", "__all__") else ""
            out += flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out += [{"field": prefix, "message": str(v)} for v in detail]
        else:
            for index, value in enumerate(detail):
                out += flatten(value, f"{prefix}[{index}]" if prefix else f"[{index}]")
    else:
        out.append({"field": prefix, "message": str(detail)})
    return out


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, OverflowError):
        # An id or number larger than a database column holds (SQLite raises before querying).
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("A number in the request is too large; no record has it.")]}
        )
    elif isinstance(exc, RecursionError):
        # json.loads of a body nested thousands deep.
        exc = exceptions.ParseError("The JSON is nested too deeply to read.")
    elif isinstance(exc, RequestDataTooBig):
        return too_large()  # type: ignore[return-value]
    elif isinstance(exc, IntegrityError):
        # A race that slipped past validation; the constraint held, nothing was written.
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("This change clashes with another record; nothing was saved.")]}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if response.status_code == status.HTTP_400_BAD_REQUEST and not (
        isinstance(data, dict) and "errors" in data
    ):
        # A body that could not be parsed at all names no field.
        whole = isinstance(data, dict) and set(data) == {"detail"}
        response.data = {"errors": flatten({"": data["detail"]} if whole else data), "detail": data}
    elif isinstance(data, dict) and "detail" in data and "errors" not in data:
        response.data = {"errors": [{"field": "", "message": str(data["detail"])}], **data}
    return response
