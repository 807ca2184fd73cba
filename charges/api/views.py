"""The charges API: a plan's charge terms (managers change them), the reference rates
(read), the proposed charges and their idempotent acknowledgement (integrators), and the
charges posted."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from creditcontrol.roles import has_any_role, is_manager
from ledger.models import Company, LedgerEntry

from .. import presets, services
from ..models import ChargeTerms, PostedCharge, ReferenceRate
from . import serializers as s

# The follow-up plan model, as our terms declare it (charges does not import followups).
PLAN = ChargeTerms._meta.get_field("plan").related_model
MANAGERS_ONLY = "Only a credit manager or an administrator may change a plan's charges."
REFUSED = OpenApiResponse(description="Bad input: every bad field is named with a message.")
FORBIDDEN = OpenApiResponse(description="Your role may not do this.")


class _Readers:
    def check_permissions(self, request):
        super().check_permissions(request)
        if not has_any_role(request.user):
            self.permission_denied(request, message="You have no role in any company.")


def _companies(user):
    return Company.objects.visible_to(user)


class ChargeTermsViewSet(_Readers, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):  # fmt: skip
    """Each plan's late-payment charge terms, by the plan's id: interest (none, fixed, or a
    reference rate plus a margin), compensation bands (base currency) and level fees."""

    serializer_class = s.ChargeTermsSerializer
    lookup_field = "plan"
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        return (ChargeTerms.objects.filter(plan__company__in=_companies(self.request.user))
                .select_related("plan__company").prefetch_related("bands").order_by("plan"))  # fmt: skip

    def _plan(self, plan_id):
        return get_object_or_404(
            PLAN.objects.filter(company__in=_companies(self.request.user)), pk=plan_id
        )

    @extend_schema(summary="Set a plan's charge terms (managers)", request=s.ChargeTermsSerializer,
                   responses={200: s.ChargeTermsSerializer, 400: REFUSED, 403: FORBIDDEN})  # fmt: skip
    @extend_schema(summary="A plan's charge terms (none set: no interest, no bands, no fees)")
    def retrieve(self, request: Request, pk=None) -> Response:
        target = self._plan(pk)
        terms = services.terms_of(target) or ChargeTerms(plan=target)
        return Response(s.ChargeTermsSerializer(terms).data)

    def _manager_plan(self, pk):
        target = self._plan(pk)
        if not is_manager(self.request.user):
            raise PermissionDenied(MANAGERS_ONLY)
        return target

    def update(self, request: Request, pk=None, partial: bool = False) -> Response:
        target = self._manager_plan(pk)
        serializer = s.ChargeTermsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "bands" in data:
            data["bands"] = [dict(b) for b in data["bands"]]
        terms = services.terms_update(user=request.user, plan=target, data=data, source="api")
        return Response(s.ChargeTermsSerializer(terms).data)

    def partial_update(self, request: Request, pk=None) -> Response:
        return self.update(request, pk=pk, partial=True)

    @extend_schema(summary="Apply a ready-made preset (UK or DE) to a plan (managers)",
                   request=s.PresetSerializer,
                   responses={200: s.ChargeTermsSerializer, 400: REFUSED, 403: FORBIDDEN})  # fmt: skip
    @action(detail=True, methods=["post"])
    def preset(self, request: Request, pk=None) -> Response:
        target = self._manager_plan(pk)
        serializer = s.PresetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = presets.preset_apply(target, serializer.validated_data["preset"], user=request.user)
        return Response(s.ChargeTermsSerializer(terms).data)


class ReferenceRateViewSet(_Readers, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The published reference rates (each applies from its date to the next one's)."""

    serializer_class = s.ReferenceRateSerializer
    queryset = ReferenceRate.objects.order_by("series", "valid_from")
    filterset_fields = ["series"]


AS_OF = OpenApiParameter("as_of", str, description="ISO date; the company's today by default.")
COMPANY = OpenApiParameter(
    "company", int, description="A company of yours (required when you have several)."
)


class _OnePageSchema(AutoSchema):
    """The proposed charges answer one object per page (``as_of``, ``results``,
    ``next_after``), which drf-spectacular would describe as an array for a list action."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class ProposedChargeViewSet(_Readers, viewsets.GenericViewSet):
    """Charges the accounting system may post: interest not posted yet and fixed
    compensation, per entry, as of a date, and (on the first page) the fees of reminders
    sent, per reminder. Post them there, then acknowledge each by its
    reference (the ledger entry it becomes comes back through the sync, its external
    reference given as ``posted_ref``)."""

    serializer_class = s.ProposedChargeSerializer
    pagination_class = None
    schema = _OnePageSchema()
    queryset = LedgerEntry.objects.none()  # for the schema: the charges are computed

    def _company(self, value) -> Company:
        companies = _companies(self.request.user)
        if value in (None, ""):
            if companies.count() != 1:
                raise ValidationError({"company": ["Name the company (you have several)."]})
            return companies.get()
        try:
            return companies.get(pk=int(value))
        except (ValueError, Company.DoesNotExist):
            raise ValidationError({"company": [f"“{value}” is not a company of yours."]}) from None

    @extend_schema(
        summary="The proposed charges (one page of entries)",
        parameters=[COMPANY, AS_OF, OpenApiParameter("customer", int),
                    OpenApiParameter("after", int, description="The last entry id of the previous page."),
                    OpenApiParameter("page_size", int, description="Entries per page, at most 1000 (500).")],
        responses={200: s.ProposedChargePageSerializer, 400: REFUSED},
    )  # fmt: skip
    def list(self, request: Request) -> Response:
        params = request.query_params
        company = self._company(params.get("company"))
        as_of = company.today()
        if params.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(params["as_of"])
            except ValueError:
                raise ValidationError({"as_of": ["Give the date as YYYY-MM-DD."]}) from None
        try:
            size = min(max(int(params.get("page_size") or 500), 1), 1000)
            after = int(params.get("after") or 0)
            customer = int(params["customer"]) if params.get("customer") else None
        except ValueError:
            raise ValidationError(
                {"page_size": ["page_size, after and customer are whole numbers."]}
            ) from None
        entries = LedgerEntry.objects.filter(company=company, pk__gt=after).exclude(remaining=0)
        if customer is not None:
            entries = entries.filter(customer_id=customer)
        page_ids = list(services.chargeable_ids(entries, as_of)[:size])
        rows = services.proposed_charges(LedgerEntry.objects.filter(pk__in=page_ids), as_of)
        if not after:  # the reminder fees (not per entry) come with the first page
            rows = services.proposed_fees(company, customer) + rows
        body = {"as_of": as_of, "results": s.ProposedChargeSerializer(rows, many=True).data,
                "next_after": page_ids[-1] if len(page_ids) == size else None}  # fmt: skip
        return Response(body)

    @extend_schema(
        summary="Acknowledge a proposed charge as posted (idempotent by reference)",
        request=s.AcknowledgeSerializer,
        responses={201: s.PostedChargeSerializer, 200: s.PostedChargeSerializer, 400: REFUSED,
                   403: FORBIDDEN},
    )  # fmt: skip
    @action(detail=False, methods=["post"])
    def acknowledge(self, request: Request) -> Response:
        services.may_acknowledge(request.user)
        serializer = s.AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company = self._company(data["company"])
        posted, created = services.acknowledge(
            user=request.user, company=company, reference=data["reference"],
            posted_ref=data.get("posted_ref", ""), amount=data.get("amount"),
        )  # fmt: skip
        return Response(s.PostedChargeSerializer(posted).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)  # fmt: skip


class PostedChargeViewSet(_Readers, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Charges the accounting system has acknowledged as posted, newest first."""

    serializer_class = s.PostedChargeSerializer
    filterset_fields = ["company", "customer", "entry", "kind", "posted_ref"]

    def get_queryset(self):
        return PostedCharge.objects.filter(company__in=_companies(self.request.user)).order_by(
            "-id"
        )
