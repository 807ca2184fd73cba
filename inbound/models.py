"""Email received from customers: each message once (by Message-ID), with its attachments."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from communications.models import Communication, ToDo
from ledger.models import Company, Contact, Customer


class InboundMessage(models.Model):
    """One email taken in (by the IMAP poller or the inbound endpoint), and what it became."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        AUTO_REPLY = "auto_reply", "Automatic reply"
        BOUNCE = "bounce", "Bounce"
        UNMATCHED = "unmatched", "Not matched to a customer"

    class MatchedBy(models.TextChoices):
        REPLY_ADDRESS = "reply_address", "Reply address"
        THREAD = "thread", "In-Reply-To / References"
        SENDER = "sender", "Sender among contacts"
        NONE = "", "Not matched"

    message_id = models.CharField(max_length=250, unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")  # fmt: skip
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="inbound"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    matched_by = models.CharField(max_length=14, choices=MatchedBy.choices, blank=True)
    source = models.CharField(max_length=8, help_text="imap or api")
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    bounced_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    todo = models.ForeignKey(ToDo, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")  # fmt: skip
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class InboundAttachment(models.Model):
    """A file that came with a customer's email, kept through the storage API."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE,
                                related_name="attachments")  # fmt: skip
    file = models.FileField(upload_to="inbound/%Y/%m/", max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.filename
