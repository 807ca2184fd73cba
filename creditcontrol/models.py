"""The project's own tables: the task outbox (see ``creditcontrol/taskqueue.py``) and
one-time form tokens (see ``creditcontrol.form_tokens``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class QueuedTask(models.Model):
    """A Celery task a request asked for, recorded in the request's transaction and
    relayed to the broker after it commits (so a broker outage neither loses nor repeats it)."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A relay holds the row while it publishes; a claim older than a minute is abandoned.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="queuedtask_pending",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)} ({'sent' if self.sent_at else 'pending'})"


class FormToken(models.Model):
    """A create form's one-time token, claimed by its first submit; a second submit of the
    same form (a double click, Back then Save) finds it used and is sent to what the first
    one made instead of making it again."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(default=timezone.now, db_index=True)
    result_url = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return str(self.token)
