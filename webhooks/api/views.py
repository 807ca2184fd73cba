"""Webhook endpoints (register, change, remove) and the delivery log with replay.

Managers and integrators of the company; each list starts from the requester's companies."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ledger.models import Company

from .. import services
from ..models import Delivery, Endpoint
from . import serializers as s


class _Base(viewsets.GenericViewSet):
    write_permission = staticmethod(services.can_manage_webhooks)
    ordering_fields = ["id"]


class EndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.DestroyModelMixin, _Base):  # fmt: skip
    """Where events are posted, signed with the endpoint's secret (HMAC-SHA256)."""

    serializer_class = s.EndpointSerializer
    filterset_fields = ["company", "is_active"]

    def get_queryset(self):
        return Endpoint.objects.filter(company__in=Company.objects.visible_to(self.request.user))

    @extend_schema(request=s.EndpointCreateSerializer, responses={201: s.EndpointCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = s.EndpointCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        company = data.validated_data["company"]
        if not Company.objects.visible_to(request.user).filter(pk=company.pk).exists():
            raise DRFValidationError({"company": "Not a company of yours."})
        endpoint = services.endpoint_create(
            user=request.user, company=company, url=data.validated_data["url"],
            events=data.validated_data.get("events", []),
            secret=data.validated_data.get("secret", ""),
            description=data.validated_data.get("description", ""), source="api",
        )  # fmt: skip
        return Response(s.EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EndpointSerializer, responses={200: s.EndpointSerializer})
    def partial_update(self, request: Request, pk=None) -> Response:
        endpoint = self.get_object()
        data = s.EndpointSerializer(endpoint, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "company"}
        endpoint = services.endpoint_update(user=request.user, endpoint=endpoint, source="api",
                                            **fields)  # fmt: skip
        return Response(s.EndpointSerializer(endpoint).data)

    def perform_destroy(self, instance: Endpoint) -> None:
        services.endpoint_delete(user=self.request.user, endpoint=instance, source="api")


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """The delivery log: each event sent to each endpoint, its attempts and response code."""

    serializer_class = s.DeliverySerializer
    filterset_fields = ["endpoint", "status"]

    def get_queryset(self):
        mine = Company.objects.visible_to(self.request.user)
        return Delivery.objects.filter(endpoint__company__in=mine).select_related("event")

    @extend_schema(request=None, responses={201: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk=None) -> Response:
        """Send this delivery's event again to its endpoint (a new delivery, sent once)."""
        replay = services.delivery_replay(user=request.user, delivery=self.get_object(),
                                          source="api")  # fmt: skip
        return Response(s.DeliverySerializer(replay).data, status=status.HTTP_201_CREATED)
