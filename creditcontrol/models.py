"""The project's own tables: the task outbox (see ``creditcontrol/taskqueue.py``)."""

from __future__ import annotations

from django.db import models


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
