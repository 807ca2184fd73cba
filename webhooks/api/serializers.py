from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from events.models import EventKind

from ..models import Delivery, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventKind.choices),
                                   required=False, help_text=gettext_lazy("Event types; empty: every type."))  # fmt: skip

    class Meta:
        model = Endpoint
        fields = ["id", "company", "url", "events", "is_active", "description", "created_at"]
        read_only_fields = ["id", "created_at"]


class EndpointCreateSerializer(EndpointSerializer):
    secret = serializers.CharField(required=False, allow_blank=True, max_length=128,
                                   help_text=gettext_lazy("Signs the deliveries; made for you when empty."))  # fmt: skip

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class EndpointCreatedSerializer(EndpointCreateSerializer):
    """The endpoint as registered, with its secret: the only answer that shows it."""


class DeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.kind", read_only=True)
    payload = serializers.JSONField(source="event.payload", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "endpoint", "event", "event_type", "payload", "replay_of", "status",
                  "attempts", "next_attempt_at", "response_code", "last_error", "delivered_at",
                  "created_at"]  # fmt: skip
        read_only_fields = fields
