"""API viewsets of the to-dos, the entries' statuses and notes (read), the configurable lists
(every role reads, managers write) and the caller's own notifications."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from creditcontrol.roles import has_any_role, is_administrator

from .. import todos
from ..filters import EntryNoteFilter, EntryStatusFilter, NotificationFilter, ToDoFilter
from ..models import (
    ActionType,
    CustomerResponse,
    EntryNote,
    EntryStatus,
    Notification,
    Outcome,
    StatusCode,
    ToDo,
)
from . import serializers as s
from .base import FORBIDDEN, NOT_YOURS, REFUSED, WorkbenchViewSet, created, verb

# --- to-dos -----------------------------------------------------------------------------


@extend_schema(tags=["todos"])
@extend_schema_view(
    list=extend_schema(summary="List to-dos",
                       description="`show` = open, closed, mine, due_today or overdue."),
    retrieve=extend_schema(
        summary="Read a to-do", responses={200: s.ToDoSerializer, 404: NOT_YOURS}
    ),
    create=created("Create a to-do by hand", s.ToDoCreateSerializer, s.ToDoSerializer),
    partial_update=extend_schema(
        summary="Change a to-do", request=s.ToDoUpdateSerializer,
        responses={200: s.ToDoSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_YOURS},
    ),
)  # fmt: skip
class ToDoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkbenchViewSet):
    """Reminders for controllers: closed by hand, or when every entry they concern is paid."""

    serializer_class = s.ToDoSerializer
    filterset_class = ToDoFilter
    ordering_fields = ["id", "due_on", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return ToDo.objects.visible_to(self.request.user).prefetch_related("entries")

    def create(self, request: Request, *args, **kwargs) -> Response:
        def create(data):
            return todos.todo_create(
                user=request.user, customer=data["customer"], description=data["description"],
                due_on=data["due_on"], owner=data.get("owner"), entry_ids=data.get("entries", []),
                notes=data.get("notes", ""), source="api",
            )  # fmt: skip

        return self.create_with(request, s.ToDoCreateSerializer, create)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        todo = self.get_object()
        data = self.input(request, s.ToDoUpdateSerializer, partial=True)
        todos.todo_update(user=request.user, todo=todo, source="api", **data)
        return Response(self.represent(todo))

    @verb("Close a to-do", s.ToDoSerializer, s.ToDoCloseSerializer,
           "Closing a closed to-do changes nothing.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk=None) -> Response:
        todo = self.get_object()
        reason = self.input(request, s.ToDoCloseSerializer).get("reason") or _("Closed by hand.")
        todos.todo_close(user=request.user, todo=todo, reason=reason, source="api")
        return Response(self.represent(todo))

    @verb("Reopen a closed to-do", s.ToDoSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk=None) -> Response:
        todo = self.get_object()
        todos.todo_reopen(user=request.user, todo=todo, source="api")
        return Response(self.represent(todo))


# --- entry statuses and notes (read) ----------------------------------------------------


@extend_schema(tags=["entry-statuses"])
@extend_schema_view(
    list=extend_schema(summary="List entry statuses",
                       description="The status code and open query of each entry that has one."),
    retrieve=extend_schema(summary="Read an entry's status (by the entry's id)",
                           responses={200: s.EntryStatusSerializer, 404: NOT_YOURS}),
)  # fmt: skip
class EntryStatusViewSet(viewsets.ReadOnlyModelViewSet):
    """Status codes and queries on ledger entries; set them with communications' update-entries."""

    serializer_class = s.EntryStatusSerializer
    filterset_class = EntryStatusFilter
    lookup_field = "entry"
    lookup_value_regex = r"\d{1,18}"  # a larger number is no entry, not a database error
    ordering = ["-pk"]
    ordering_fields = ["updated_at"]

    def get_queryset(self):
        return EntryStatus.objects.visible_to(self.request.user).select_related(
            "entry", "status_code"
        )


@extend_schema(tags=["entry-notes"])
@extend_schema_view(
    list=extend_schema(summary="List entry notes"),
    retrieve=extend_schema(summary="Read an entry note",
                           responses={200: s.EntryNoteSerializer, 404: NOT_YOURS}),
)  # fmt: skip
class EntryNoteViewSet(viewsets.ReadOnlyModelViewSet):
    """Notes on ledger entries, added (never overwritten) by update-entries."""

    serializer_class = s.EntryNoteSerializer
    filterset_class = EntryNoteFilter
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return EntryNote.objects.visible_to(self.request.user)


# --- configurable lists ------------------------------------------------------------------


def _configurable(model, serializer, what: str, tag: str, *filter_fields: str):
    """A list every role reads and managers extend; no delete (retire with ``is_active``)."""

    @extend_schema(tags=[tag])
    @extend_schema_view(
        list=extend_schema(summary=f"List {what}"),
        retrieve=extend_schema(summary=f"Read one of the {what}",
                               responses={200: serializer, 404: NOT_YOURS}),
        create=extend_schema(summary=f"Add to the {what} (administrators)",
                             responses={201: serializer, 400: REFUSED, 403: FORBIDDEN}),
        partial_update=extend_schema(summary=f"Change one of the {what} (administrators)",
                                     responses={200: serializer, 400: REFUSED, 403: FORBIDDEN}),
    )  # fmt: skip
    class ConfigurableViewSet(
        mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
        mixins.UpdateModelMixin, viewsets.GenericViewSet,
    ):  # fmt: skip
        serializer_class = serializer
        queryset = model.objects.all()
        # Installation-wide lists shared by every company: administrators change them.
        write_permission = staticmethod(is_administrator)
        filterset_fields = ["is_active", *filter_fields]
        ordering = ["sort_order", "id"]
        ordering_fields = ["id", "sort_order"]
        http_method_names = ["get", "post", "patch", "head", "options"]

        def perform_create(self, serializer):
            serializer.instance = self._checked(model(**serializer.validated_data))

        def perform_update(self, serializer):
            instance = serializer.instance
            for name, value in serializer.validated_data.items():
                setattr(instance, name, value)
            serializer.instance = self._checked(instance)

        def _checked(self, instance):
            # The model's check constraints, with their own messages, before the write.
            instance.full_clean()
            instance.save()
            return instance

    ConfigurableViewSet.__name__ = ConfigurableViewSet.__qualname__ = f"{model.__name__}ViewSet"
    ConfigurableViewSet.__doc__ = (
        f"The {what}: every role reads them; credit managers and administrators add and "
        f"change them. Retire one with `is_active: false` (old records keep it)."
    )
    return ConfigurableViewSet


OutcomeViewSet = _configurable(
    Outcome, s.OutcomeSerializer, "communication outcomes", "outcomes", "creates_promise"
)
StatusCodeViewSet = _configurable(
    StatusCode, s.StatusCodeSerializer, "status codes", "status-codes", "is_promised", "is_queried"
)
ActionTypeViewSet = _configurable(
    ActionType, s.ActionTypeSerializer, "call action types", "action-types", "behaviour"
)
CustomerResponseViewSet = _configurable(
    CustomerResponse, s.CustomerResponseSerializer, "customer responses", "customer-responses"
)


# --- notifications ---------------------------------------------------------------------


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(summary="List your notifications", description="Newest first."),
    retrieve=extend_schema(summary="Read one of your notifications",
                           responses={200: s.NotificationSerializer, 404: NOT_YOURS}),
)  # fmt: skip
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your own in-app notifications (alerts from call actions, broken promises)."""

    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["id", "created_at"]
    write_permission = staticmethod(has_any_role)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a user
            return Notification.objects.none()
        return Notification.objects.for_user(self.request.user)

    @extend_schema(summary="Mark a notification read", request=None,
                   responses={200: s.NotificationSerializer, 404: NOT_YOURS})  # fmt: skip
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        note = self.get_object()
        if note.read_at is None:
            Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(
                read_at=timezone.now()
            )
            note.refresh_from_db()
        return Response(self.get_serializer(note).data)
