"""API viewsets of the workbench: communications, call actions, promises and disputes (the
to-dos, entry statuses and notes, lists and notifications are in ``views_lists``). Each list
starts from ``visible_to(user)`` and filters with the FilterSet the pages use; every write and
every verb calls one service. Workbench writes need a role that works on customers
(controllers, managers, administrators): integrators read."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import promises as promise_services
from .. import services
from ..filters import (
    CallActionFilter,
    CommunicationFilter,
    DisputeFilter,
    PromiseFilter,
)
from ..models import (
    CallAction,
    Communication,
    Dispute,
    EntryStatus,
    Promise,
    PromiseStatus,
)
from . import serializers as s
from .base import FORBIDDEN, NOT_YOURS, REFUSED, WorkbenchViewSet, created, verb


def _promise_input(data: dict | None) -> services.PromiseInput | None:
    if not data:
        return None
    return services.PromiseInput(promised_on=data["promised_on"], amount=data.get("amount"),
                                 is_full=data.get("full_amount", False))  # fmt: skip


# --- communications -------------------------------------------------------------------


@extend_schema(tags=["communications"])
@extend_schema_view(
    list=extend_schema(summary="List communications", description="Newest first by default."),
    retrieve=extend_schema(
        summary="Read a communication", responses={200: s.CommunicationSerializer, 404: NOT_YOURS}
    ),
    create=created(
        "Record a communication", s.CommunicationCreateSerializer, s.CommunicationSerializer,
        "The customer's balance now is stored on it and never recomputed. A follow-up date "
        "raises the to-do \"Follow up call from <date>\"; an outcome that creates a promise "
        "needs `promise` and records it on `entries` (or every open invoice).",
    ),
    partial_update=extend_schema(
        summary="Amend a communication", request=s.CommunicationUpdateSerializer,
        responses={200: s.CommunicationSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_YOURS},
    ),
)  # fmt: skip
class CommunicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkbenchViewSet):
    """Contacts with customers; live until completed (`complete`), which takes their follow-up
    and promise out of the customer's figures and the Chase Debt report."""

    serializer_class = s.CommunicationSerializer
    filterset_class = CommunicationFilter
    ordering_fields = ["id", "occurred_at", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Communication.objects.visible_to(self.request.user)
            .select_related("company")
            .prefetch_related("entries", "promises")
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        def create(data):
            return services.communication_create(
                user=request.user, customer=data.pop("customer"),
                entry_ids=data.pop("entries", []),
                promise=_promise_input(data.pop("promise", None)), source="api", **data,
            )  # fmt: skip

        return self.create_with(request, s.CommunicationCreateSerializer, create)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        communication = self.get_object()
        data = self.input(request, s.CommunicationUpdateSerializer, partial=True)
        services.communication_update(user=request.user, communication=communication,
                                      source="api", **data)  # fmt: skip
        return Response(self.represent(communication))

    @verb("Complete a communication", s.CommunicationSerializer,
           description="Completing twice is harmless. Its open to-dos close.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk=None) -> Response:
        communication = self.get_object()
        services.communication_complete(user=request.user, communication=communication,
                                        source="api")  # fmt: skip
        return Response(self.represent(communication))

    @verb("Reopen a completed communication", s.CommunicationSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk=None) -> Response:
        communication = self.get_object()
        services.communication_reopen(user=request.user, communication=communication,
                                      source="api")  # fmt: skip
        return Response(self.represent(communication))

    @verb(
        "Update the selected entries", s.EntriesUpdateResultSerializer, s.EntriesUpdateSerializer,
        "For every entry at once (all of the communication's customer): a status code; a "
        "*promised* code records one promise over them (`promise`), a *queried* code sets "
        "the resolution target date and owner; a note is added to each.",
    )  # fmt: skip
    @action(detail=True, methods=["post"], url_path="update-entries")
    def update_entries(self, request: Request, pk=None) -> Response:
        communication = self.get_object()
        data = self.input(request, s.EntriesUpdateSerializer)
        entries = services.entries_update(
            user=request.user, customer=communication.customer, entry_ids=data["entries"],
            status_code=data.get("status_code"), promise=_promise_input(data.get("promise")),
            query_target_on=data.get("query_target_on"), query_owner=data.get("query_owner"),
            note=data.get("note", ""), communication=communication, source="api",
        )  # fmt: skip
        ids = [e.pk for e in entries]
        promise = None
        if data.get("status_code") is not None and data["status_code"].is_promised:
            promise = (
                Promise.objects.filter(
                    communication=communication, lines__entry_id__in=ids, status=PromiseStatus.OPEN
                )
                .select_related("company")
                .prefetch_related("entries")
                .order_by("-id")
                .first()
            )
        statuses = EntryStatus.objects.filter(entry_id__in=ids).select_related(
            "entry", "status_code"
        )
        return Response(
            {
                "entries": ids,
                "statuses": s.EntryStatusSerializer(statuses, many=True).data,
                "promise": s.PromiseSerializer(promise).data if promise else None,
            }
        )


@extend_schema(tags=["call-actions"])
@extend_schema_view(
    list=extend_schema(summary="List call actions"),
    retrieve=extend_schema(
        summary="Read a call action", responses={200: s.CallActionSerializer, 404: NOT_YOURS}
    ),
    create=created(
        "Record a call action", s.CallActionCreateSerializer, s.CallActionSerializer,
        "A next step on a communication, for its customer or one entry. Alert notifies the "
        "company's credit managers; exclude sets the customer's exclusion from follow-ups; "
        "partial dispute opens or changes the entry's dispute (`amount`).",
    ),
)  # fmt: skip
class CallActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkbenchViewSet
):  # fmt: skip
    """Recommended next steps recorded on communications."""

    serializer_class = s.CallActionSerializer
    filterset_class = CallActionFilter
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return CallAction.objects.visible_to(self.request.user).select_related("entry", "customer")

    def create(self, request: Request, *args, **kwargs) -> Response:
        def create(data):
            return services.call_action_record(user=request.user, source="api", **data)

        return self.create_with(request, s.CallActionCreateSerializer, create)


# --- promises and disputes --------------------------------------------------------------


@extend_schema(tags=["promises"])
@extend_schema_view(
    list=extend_schema(summary="List promises to pay"),
    retrieve=extend_schema(
        summary="Read a promise", responses={200: s.PromiseSerializer, 404: NOT_YOURS}
    ),
    create=created(
        "Record a promise to pay", s.PromiseCreateSerializer, s.PromiseSerializer,
        "For the full remaining amount of the entries (`full_amount`) or a part (`amount`), "
        "by `promised_on`. It becomes *kept* when payments applied to the entries cover it "
        "by that date, *broken* when the date passes without; a broken promise raises a to-do.",
    ),
)  # fmt: skip
class PromiseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkbenchViewSet):
    """Promises to pay one or more entries of a customer, in one currency, by a date."""

    serializer_class = s.PromiseSerializer
    filterset_class = PromiseFilter
    ordering_fields = ["id", "promised_on", "created_at"]

    def get_queryset(self):
        return (
            Promise.objects.visible_to(self.request.user)
            .select_related("company")
            .prefetch_related("entries")
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        def create(data):
            return promise_services.promise_create(
                user=request.user, customer=data["customer"], entry_ids=data["entries"],
                promised_on=data["promised_on"], amount=data.get("amount"),
                is_full=data.get("full_amount", False), communication=data.get("communication"),
                source="api",
            )  # fmt: skip

        return self.create_with(request, s.PromiseCreateSerializer, create)

    @verb(
        "Cancel an open promise",
        s.PromiseSerializer,
        description="A promise recorded in error or replaced; its check to-do closes.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        promise = self.get_object()
        promise_services.promise_cancel(user=request.user, promise=promise, source="api")
        return Response(self.represent(promise))


@extend_schema(tags=["disputes"])
@extend_schema_view(
    list=extend_schema(summary="List disputes"),
    retrieve=extend_schema(
        summary="Read a dispute", responses={200: s.DisputeSerializer, 404: NOT_YOURS}
    ),
    create=created(
        "Open a dispute on an entry", s.DisputeCreateSerializer, s.DisputeSerializer,
        "An amount of one invoice or debit memo, up to its remaining amount, with a reason "
        "and an owner. An entry has one open dispute: change it with PATCH.",
    ),
    partial_update=extend_schema(
        summary="Change a dispute", request=s.DisputeUpdateSerializer,
        description="Amount (0 ends it), reason or owner; every change is kept in the "
                    "entry's history.",
        responses={200: s.DisputeSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_YOURS},
    ),
    destroy=extend_schema(
        summary="End a dispute",
        description="Its amount becomes zero and it is kept, ended. Ending twice is harmless.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_YOURS},
    ),
)  # fmt: skip
class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkbenchViewSet):
    """Amounts of entries that customers dispute; never chased while open."""

    serializer_class = s.DisputeSerializer
    filterset_class = DisputeFilter
    ordering_fields = ["id", "opened_on"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Dispute.objects.visible_to(self.request.user).select_related("entry")

    def create(self, request: Request, *args, **kwargs) -> Response:
        def create(data):
            entry = data["entry"]
            held = Dispute.objects.open().filter(entry=entry).first()
            if held is not None:
                raise s.serializers.ValidationError(
                    {"entry": _("%(entry)s already has an open dispute (id %(pk)s); change its amount with PATCH /api/v1/disputes/%(pk)s/.") % {"entry": entry, "pk": held.pk}}
                )  # fmt: skip
            return promise_services.dispute_set(
                user=request.user, entry=entry, amount=data["amount"], reason=data["reason"],
                owner=data.get("owner"), communication=data.get("communication"), source="api",
            )  # fmt: skip

        return self.create_with(request, s.DisputeCreateSerializer, create)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        dispute = self.get_object()
        data = self.input(request, s.DisputeUpdateSerializer, partial=True)
        if not dispute.is_open:
            raise s.serializers.ValidationError(
                {"amount": _("This dispute has ended; open a new one on the entry instead.")}
            )
        promise_services.dispute_set(
            user=request.user, entry=dispute.entry, amount=data.get("amount", dispute.amount),
            reason=data.get("reason", ""), owner=data.get("owner"), source="api",
        )  # fmt: skip
        return Response(self.represent(dispute))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        promise_services.dispute_end(user=request.user, dispute=self.get_object(), source="api")
        return Response(status=status.HTTP_204_NO_CONTENT)
