"""What every workbench viewset shares: write permission, re-reading for answers, creates
made idempotent by the Idempotency-Key header, and the schema's common answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from creditcontrol.api_idempotency import IDEMPOTENCY_PARAMETER, idempotent_create
from creditcontrol.roles import can_work_customers

NOT_YOURS = OpenApiResponse(description="Not found, or not in a company of yours.")
REFUSED = OpenApiResponse(description="Bad input: every bad field is named with a message.")
FORBIDDEN = OpenApiResponse(description="Your role may not do this (integrators only read).")


def created(summary: str, request_serializer, response_serializer, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request_serializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: response_serializer,
            200: response_serializer,
            400: REFUSED,
            403: FORBIDDEN,
        },
    )


def verb(summary: str, response_serializer, request_serializer=None, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request_serializer,
        responses={200: response_serializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_YOURS},
    )


class WorkbenchViewSet(viewsets.GenericViewSet):
    """Writes need a role that works on customers; lists paginate by keyset on ``-id``."""

    write_permission = staticmethod(can_work_customers)
    ordering_fields = ["id"]

    def represent(self, record, serializer_class=None):
        """The record as a read answers it (re-read, so derived fields are current)."""
        fresh = self.get_queryset().get(pk=record.pk)
        return (serializer_class or self.get_serializer_class())(
            fresh, context=self.get_serializer_context()
        ).data

    def create_with(self, request: Request, input_class, create) -> Response:
        """Validate ``input_class``, then call ``create(data)`` once per Idempotency-Key."""
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return idempotent_create(
            request, model=self.get_queryset().model, create=lambda: create(data),
            represent=self.represent, replay_queryset=self.get_queryset(),
        )  # fmt: skip

    def input(self, request: Request, input_class, *, partial: bool = False) -> dict:
        serializer = input_class(data=request.data, partial=partial,
                                 context=self.get_serializer_context())  # fmt: skip
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
