"""Email received from customers: each message once (by Message-ID), with its attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.models import Communication, ToDo
from ledger.models import Company, Contact, Customer


class InboundMessageQuerySet(models.QuerySet):
    def unmatched(self) -> InboundMessageQuerySet:
        """Waiting for a person: not matched to a customer, not discarded."""
        return self.filter(kind=InboundMessage.Kind.UNMATCHED, discarded_at__isnull=True)

    def visible_to(self, user) -> InboundMessageQuerySet:
        """Messages of the user's companies (controllers, managers, administrators). A message
        whose company could not be told (sent to the shared reply mailbox by an unknown
        sender, with several companies installed) is shown to the managers and administrators
        who are members of every company: only they may see any customer it could be from."""
        from creditcontrol.roles import can_work_customers, is_manager

        if not getattr(user, "is_authenticated", False) or not can_work_customers(user):
            return self.none()
        if user.is_superuser:
            return self
        mine = Q(company__in=user.companies.values("id"))
        if is_manager(user):  # one query: "member of every company" is a subquery
            mine |= Q(company__isnull=True) & Q(~Exists(Company.objects.exclude(members=user)))
        return self.filter(mine)


class InboundMessage(models.Model):
    """One email taken in (by the IMAP poller or the inbound endpoint), and what it became."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Bounce")
        UNMATCHED = "unmatched", _("Not matched to a customer")

    class MatchedBy(models.TextChoices):
        REPLY_ADDRESS = "reply_address", _("Reply address")
        THREAD = "thread", _("In-Reply-To / References")
        SENDER = "sender", _("Sender among contacts")
        BY_HAND = "by_hand", _("Assigned by hand")
        NONE = "", _("Not matched")

    message_id = models.CharField(max_length=250, unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")  # fmt: skip
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="inbound"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    matched_by = models.CharField(max_length=14, choices=MatchedBy.choices, blank=True)
    source = models.CharField(max_length=8, help_text=_("imap or api"))
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
    recipients = models.CharField(max_length=1000, blank=True)
    automatic = models.BooleanField(
        default=False, help_text=_("An automatic reply (out of office): recorded, pauses nothing.")
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")  # fmt: skip
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["kind", "company"], name="inbound_kind_company")]

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
