"""Integrators' webhook endpoints and every delivery of an event to one of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from events.models import Event, EventKind
from ledger.models import Company


class Endpoint(models.Model):
    """A URL an integrator registered for some event kinds, with the secret that signs them."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=128, help_text=gettext_lazy("Signs each delivery (HMAC-SHA256).")
    )
    events = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Event kinds; empty: every kind.")
    )
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "url", "id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events


ALL_KINDS = EventKind.values


class Delivery(models.Model):
    """One event sent (or to be sent) to one endpoint: its attempts and the answer."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting")
        SENDING = "sending", gettext_lazy("Sending")
        DELIVERED = "delivered", gettext_lazy("Delivered")
        FAILED = "failed", gettext_lazy("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The fan-out inserts with ON CONFLICT DO NOTHING against this index.
            models.UniqueConstraint(
                fields=["endpoint", "event"], condition=Q(replay_of__isnull=True),
                name="delivery_once_per_endpoint",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"
