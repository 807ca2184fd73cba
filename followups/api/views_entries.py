"""API of what a controller changes on entries for the follow-ups: exclusions (forever or for
a period) and expected payment dates. Both set a state, so sending the same request twice
leaves the same state: a retry is harmless without an Idempotency-Key."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from communications.api.base import FORBIDDEN, NOT_YOURS, REFUSED
from ledger.models import LedgerEntry

from .. import entry_actions
from ..filters import ExclusionFilter
from . import serializers as s
from .views import FollowUpViewSet


def visible_entries(request: Request, ids: list[int]) -> list[LedgerEntry]:
    """The entries of ``ids`` the requester may see; refuses naming those it may not."""
    entries = list(LedgerEntry.objects.visible_to(request.user).filter(pk__in=ids))
    missing = sorted(set(ids) - {e.pk for e in entries})
    if missing:
        listed = ", ".join(str(pk) for pk in missing[:20])
        raise serializers.ValidationError(
            {
                "entries": _("No entry with id %(listed)s is visible to you; nothing was changed.")
                % {"listed": listed}
            }
        )
    return entries


@extend_schema(tags=["followup-exclusions"])
@extend_schema_view(
    list=extend_schema(
        summary="List entries excluded from follow-ups",
        description="Those still excluded (forever, or until a day after the company's today); "
                    "`in_effect=false` lists lapsed exclusions.",
    ),
    retrieve=extend_schema(summary="Read an entry's exclusion (by the entry's id)",
                           responses={200: s.ExclusionSerializer, 404: NOT_YOURS}),
    create=extend_schema(
        summary="Exclude entries from follow-ups",
        description="Open invoices and debit memos, forever or for 1w, 2w, 1m, 2m from the "
                    "company's today (a month on is the same day, clamped to the month's end). "
                    "All or nothing; excluding again replaces the period.",
        request=s.ExclusionCreateSerializer,
        responses={200: s.ExclusionSerializer(many=True), 400: REFUSED, 403: FORBIDDEN},
    ),
    destroy=extend_schema(summary="Include one entry again",
                          responses={204: None, 400: REFUSED, 403: FORBIDDEN, 404: NOT_YOURS}),
)  # fmt: skip
class ExclusionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, FollowUpViewSet
):  # fmt: skip
    """Ledger entries kept out of the follow-ups by hand (the next run does not chase them)."""

    serializer_class = s.ExclusionSerializer
    filterset_class = ExclusionFilter
    lookup_value_regex = r"\d{1,18}"
    ordering = ["-id"]
    ordering_fields = ["id", "due_date", "exclude_until"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        # Read and delete find only entries excluded now (the FilterSet): 404 means "not
        # excluded", or not yours.
        return LedgerEntry.objects.visible_to(self.request.user)

    def _answer(self, entries: list[LedgerEntry]) -> Response:
        fresh = LedgerEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk")
        return Response(s.ExclusionSerializer(fresh, many=True).data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self.input(request, s.ExclusionCreateSerializer)
        entries = visible_entries(request, data["entries"])
        entry_actions.entries_exclude(user=request.user, entries=entries, period=data["period"],
                                      source="api")  # fmt: skip
        return self._answer(entries)

    @extend_schema(
        summary="Include entries again",
        description="Ends their exclusion: the next run chases them again.",
        request=s.ExclusionIncludeSerializer,
        responses={200: s.ExclusionSerializer(many=True), 400: REFUSED, 403: FORBIDDEN},
    )  # fmt: skip
    @action(detail=False, methods=["post"])
    def include(self, request: Request) -> Response:
        data = self.input(request, s.ExclusionIncludeSerializer)
        entries = visible_entries(request, data["entries"])
        entry_actions.entries_include(user=request.user, entries=entries, source="api")
        return self._answer(entries)

    def perform_destroy(self, instance: LedgerEntry) -> None:
        entry_actions.entries_include(user=self.request.user, entries=[instance], source="api")


@extend_schema(tags=["expected-payment-dates"])
@extend_schema_view(
    create=extend_schema(
        summary="Set an entry's expected payment date",
        description="The engine does not chase the entry before that day (today up to a year "
                    "ahead; null clears it). The note is kept on the entry with the date.",
        request=s.ExpectedDateSerializer,
        responses={200: s.ExpectedDateResultSerializer, 400: REFUSED, 403: FORBIDDEN},
    ),
)  # fmt: skip
class ExpectedPaymentDateViewSet(mixins.CreateModelMixin, FollowUpViewSet):
    """When a customer says it will pay an entry."""

    serializer_class = s.ExpectedDateResultSerializer

    def get_queryset(self):
        return LedgerEntry.objects.visible_to(self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self.input(request, s.ExpectedDateSerializer)
        try:
            entry = entry_actions.entry_expected_date_set(
                user=request.user, entry=data["entry"], on=data["date"], note=data["note"],
                source="api",
            )  # fmt: skip
        except DjangoValidationError as error:
            # The service names its date "on"; this resource calls it "date".
            if hasattr(error, "error_dict") and "on" in error.error_dict:
                error.error_dict["date"] = error.error_dict.pop("on")
            raise
        return Response(s.ExpectedDateResultSerializer(entry).data, status=status.HTTP_200_OK)
