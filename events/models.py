"""Business events (a promise broken, a customer put on hold, ...) as rows of an outbox.

This app sits *below* ``ledger`` in the import layers so that every app can record an
event in the transaction of its change. It refers to the company and customer by the
lazy ``"ledger.Company"`` reference, never by importing them. The ``webhooks`` app (at the
top) turns each event into one delivery per subscribed endpoint.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class EventKind(models.TextChoices):
    CUSTOMER_HOLD = "customer.hold", gettext_lazy("Customer put on hold")
    CUSTOMER_RELEASED = "customer.released", gettext_lazy("Customer released from hold")
    CUSTOMER_OVER_LIMIT = "customer.over_credit_limit", gettext_lazy("Customer over credit limit")
    PROMISE_MADE = "promise.made", gettext_lazy("Promise made")
    PROMISE_KEPT = "promise.kept", gettext_lazy("Promise kept")
    PROMISE_BROKEN = "promise.broken", gettext_lazy("Promise broken")
    DISPUTE_OPENED = "dispute.opened", gettext_lazy("Dispute opened")
    DISPUTE_CHANGED = "dispute.changed", gettext_lazy("Dispute changed")
    DISPUTE_ENDED = "dispute.ended", gettext_lazy("Dispute ended")
    PROPOSAL_EXECUTED = "proposal.executed", gettext_lazy("Proposal executed")
    REPLY_RECEIVED = "reply.received", gettext_lazy("Reply received")
    PORTAL_ACTION = "portal.action", gettext_lazy("Self-service page action")


class Event(models.Model):
    """One thing that happened, for integrators; written in the transaction of the change."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once the webhooks worker has made this event's deliveries.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(fanned_out_at__isnull=True),
                name="event_pending_idx",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
