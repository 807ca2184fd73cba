"""API viewsets of the follow-ups: plans and levels, runs, the follow-up history and the
outbox (the proposals are in ``views_proposals``, the exclusions and expected payment dates
in ``views_entries``). Each list starts from the requester's companies and filters with the
FilterSet the pages use; every write and every verb calls one service."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from communications.api.base import FORBIDDEN, NOT_YOURS, REFUSED, WorkbenchViewSet
from creditcontrol.api_idempotency import IDEMPOTENCY_PARAMETER, idempotent_create
from creditcontrol.roles import INTEGRATOR, has_any_role, is_manager, roles_of
from ledger.models import Company

from .. import engine, outbox
from ..filters import (
    FollowUpActionFilter,
    FollowUpLevelFilter,
    FollowUpPlanFilter,
    FollowUpRunFilter,
    OutboxMessageFilter,
)
from ..models import (
    FollowUpAction,
    FollowUpLevel,
    FollowUpPlan,
    FollowUpRun,
    OutboxMessage,
)
from ..plans import plan_for
from . import levels
from . import serializers as s

MANAGERS = OpenApiResponse(description="Only a credit manager or an administrator may do this.")


def of_my_companies(queryset, user, path: str = "company"):
    """The rows of ``queryset`` that belong to a company ``user`` is a member of."""
    return queryset.filter(**{f"{path}__in": Company.objects.visible_to(user)})


WORKERS_ONLY = "Only credit controllers, credit managers and administrators may do this; " \
    "an integrator's token reads."  # fmt: skip
MANAGERS_ONLY = "Only a credit manager or an administrator may do this."


class FollowUpViewSet(WorkbenchViewSet):
    """A refused write says who may make it (the role check's own message speaks only of
    having no role at all)."""

    write_refusal = WORKERS_ONLY

    def permission_denied(self, request: Request, message=None, code=None):
        if has_any_role(request.user):
            message = self.write_refusal
        super().permission_denied(request, message=message, code=code)


# --- plans and levels -------------------------------------------------------------------------


@extend_schema(tags=["followup-plans"])
@extend_schema_view(
    list=extend_schema(summary="List the follow-up plans of your companies",
                       description="One per company, with its levels in order."),
    retrieve=extend_schema(summary="Read a follow-up plan",
                           responses={200: s.PlanSerializer, 404: NOT_YOURS}),
    partial_update=extend_schema(
        summary="Change a plan's options (managers)", request=s.PlanUpdateSerializer,
        responses={200: s.PlanSerializer, 400: REFUSED, 403: MANAGERS, 404: NOT_YOURS},
    ),
)  # fmt: skip
class FollowUpPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FollowUpViewSet):
    """A company's one follow-up plan: the minimum days between two reminders, the minimum
    amount, whether an open promise pauses it, the daily run time; its levels are changed
    through `followup-levels`."""

    serializer_class = s.PlanSerializer
    write_permission = staticmethod(is_manager)
    write_refusal = MANAGERS_ONLY
    filterset_class = FollowUpPlanFilter
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            # A company gets its plan (with the default levels) the first time it is asked for.
            for company in Company.objects.visible_to(user).filter(followup_plan__isnull=True):
                plan_for(company)
        levels_in_order = FollowUpLevel.objects.order_by("sequence")
        return (
            of_my_companies(FollowUpPlan.objects.all(), user)
            .select_related("company")
            .prefetch_related(Prefetch("levels", queryset=levels_in_order))
            .order_by("company__code")
        )

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        plan = self.get_object()
        data = self.input(request, s.PlanUpdateSerializer, partial=True)
        levels.plan_update(user=request.user, plan=plan, source="api", **data)
        return Response(self.represent(plan))


@extend_schema(tags=["followup-levels"])
@extend_schema_view(
    list=extend_schema(summary="List follow-up levels", description="By plan, then sequence."),
    retrieve=extend_schema(summary="Read a follow-up level",
                           responses={200: s.LevelSerializer, 404: NOT_YOURS}),
    create=extend_schema(
        summary="Add a level to a plan (managers)", request=s.LevelCreateSerializer,
        description="At the end, or at `sequence` (the later levels move up one). Days may "
                    "not decrease along the sequence; each chosen action needs its text; "
                    "texts may use {customer} {contact} {company} {total} {overdue} "
                    "{currency} {date} {entries} {controller}.",
        responses={201: s.LevelSerializer, 400: REFUSED, 403: MANAGERS},
    ),
    partial_update=extend_schema(
        summary="Change or move a level (managers)", request=s.LevelUpdateSerializer,
        description="A new `sequence` moves it; refused once entries have reached the levels "
                    "it would renumber.",
        responses={200: s.LevelSerializer, 400: REFUSED, 403: MANAGERS, 404: NOT_YOURS},
    ),
    destroy=extend_schema(
        summary="Delete a level (managers)",
        description="Refused while a proposal or the history uses it; later levels move down.",
        responses={204: None, 400: REFUSED, 403: MANAGERS, 404: NOT_YOURS},
    ),
)  # fmt: skip
class FollowUpLevelViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, FollowUpViewSet
):  # fmt: skip
    """The steps of the follow-up plans: when each is due (days after the due date, negative
    before it) and what it does (manual action, email with the statement, letter)."""

    serializer_class = s.LevelSerializer
    filterset_class = FollowUpLevelFilter
    write_permission = staticmethod(is_manager)
    write_refusal = MANAGERS_ONLY
    ordering = ["plan_id", "sequence"]
    ordering_fields = ["id", "sequence"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        levels = FollowUpLevel.objects.select_related("plan")
        return of_my_companies(levels, self.request.user, "plan__company")

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self.input(request, s.LevelCreateSerializer)
        level = levels.level_create(user=request.user, source="api", **data)
        return Response(self.represent(level), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        level = self.get_object()
        data = self.input(request, s.LevelUpdateSerializer, partial=True)
        levels.level_update(user=request.user, level=level, source="api", **data)
        return Response(self.represent(level))

    def perform_destroy(self, instance: FollowUpLevel) -> None:
        levels.level_delete(user=self.request.user, level=instance, source="api")


# --- runs -----------------------------------------------------------------------------------


@extend_schema(tags=["followup-runs"])
@extend_schema_view(
    list=extend_schema(summary="List follow-up runs", description="Newest first."),
    retrieve=extend_schema(summary="Read a follow-up run and what it decided",
                           responses={200: s.RunSerializer, 404: NOT_YOURS}),
    create=extend_schema(
        summary="Start a follow-up run",
        description="For a company and a day (default: the company's today). The run is "
                    "queued (202, `Location` names it): read it until `status` is done or "
                    "failed. A rerun for the same day changes nothing. Controllers and "
                    "managers.",
        request=s.RunStartSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={202: s.RunSerializer, 200: s.RunSerializer, 400: REFUSED, 403: FORBIDDEN},
    ),
)  # fmt: skip
class FollowUpRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FollowUpViewSet):
    """Runs of the follow-up engine: when, for which day, started how and by whom, what they
    found (chaseable entries, proposals created, refreshed, withdrawn) and any error."""

    serializer_class = s.RunSerializer
    filterset_class = FollowUpRunFilter
    ordering = ["-started_at", "-id"]
    ordering_fields = ["id", "started_at", "run_date"]

    def get_queryset(self):
        return of_my_companies(FollowUpRun.objects.all(), self.request.user).select_related(
            "started_by"
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self.input(request, s.RunStartSerializer)
        response = idempotent_create(
            request, model=FollowUpRun, represent=self.represent,
            create=lambda: engine.run_start(user=request.user, company=data["company"],
                                            as_of=data.get("date"), trigger="api"),
            replay_queryset=self.get_queryset(),
        )  # fmt: skip
        if response.status_code == status.HTTP_201_CREATED:
            response.status_code = status.HTTP_202_ACCEPTED
        if response.status_code in (status.HTTP_200_OK, status.HTTP_202_ACCEPTED):
            response["Location"] = request.build_absolute_uri(
                f"{request.path.rstrip('/')}/{response.data['id']}/"
            )
        return response


# --- history -----------------------------------------------------------------------------------


@extend_schema(tags=["followup-history"])
@extend_schema_view(
    list=extend_schema(summary="List follow-up history",
                       description="Every follow-up action, newest first: who, when, level, "
                                   "channel, entries, amount (base currency), documents."),
    retrieve=extend_schema(summary="Read one line of follow-up history",
                           responses={200: s.ActionSerializer, 404: NOT_YOURS}),
)  # fmt: skip
class FollowUpHistoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FollowUpViewSet):
    """The customers' follow-up history: reminders sent, letters, manual actions, skipped
    proposals, statements."""

    serializer_class = s.ActionSerializer
    write_refusal = "The follow-up history is only read; it is written by executing proposals."
    filterset_class = FollowUpActionFilter
    ordering = ["-at", "-id"]
    ordering_fields = ["id", "at", "on"]

    def get_queryset(self):
        return (
            of_my_companies(FollowUpAction.objects.all(), self.request.user)
            .select_related("company", "by")
            .prefetch_related("lines__entry", "documents")
        )


# --- outbox ------------------------------------------------------------------------------------


def _outbox_verb(summary: str, description: str):
    return extend_schema(
        summary=summary, description=description, request=None,
        responses={200: s.OutboxMessageSerializer, 400: REFUSED, 403: MANAGERS, 404: NOT_YOURS},
    )  # fmt: skip


class ReadsOutbox(BasePermission):
    """Bodies and addresses: the outbox page is the managers'; integrators read it to
    reconcile. Controllers see what was sent on each customer's history instead."""

    message = "Only credit managers, administrators and integrators read the outbox."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_manager(request.user) or INTEGRATOR in roles_of(request.user)


@extend_schema(tags=["outbox-messages"])
@extend_schema_view(
    list=extend_schema(summary="List outbox messages (managers, integrators)",
                       description="Newest first.", responses={200: s.OutboxMessageSerializer(many=True), 403: FORBIDDEN}),
    retrieve=extend_schema(summary="Read an outbox message (managers, integrators)",
                           responses={200: s.OutboxMessageSerializer, 403: FORBIDDEN, 404: NOT_YOURS}),
)  # fmt: skip
class OutboxMessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FollowUpViewSet):
    """Emails and letters waiting to be sent, sent, failed, or left for review by a worker
    that stopped while sending (never sent again without a manager deciding)."""

    serializer_class = s.OutboxMessageSerializer
    permission_classes = [*FollowUpViewSet.permission_classes, ReadsOutbox]
    filterset_class = OutboxMessageFilter
    write_permission = staticmethod(is_manager)
    write_refusal = MANAGERS_ONLY
    ordering = ["-created_at", "-id"]
    ordering_fields = ["id", "created_at", "next_attempt_at"]

    def get_queryset(self):
        return of_my_companies(OutboxMessage.objects.all(), self.request.user).prefetch_related(
            "entries"
        )

    @_outbox_verb("Send a message again (managers)",
                  "For a failed message, or one under review you know was not sent.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk=None) -> Response:
        message = self.get_object()
        outbox.outbox_resend(user=request.user, message=message, source="api")
        return Response(self.represent(message))

    @_outbox_verb("Cancel a message (managers)", "It will not be sent.")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        message = self.get_object()
        outbox.outbox_cancel(user=request.user, message=message, source="api")
        return Response(self.represent(message))

    @_outbox_verb("Mark a message sent (managers)",
                  "For one under review that you know did go out.")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request: Request, pk=None) -> Response:
        message = self.get_object()
        outbox.outbox_mark_sent(user=request.user, message=message, source="api")
        return Response(self.represent(message))
