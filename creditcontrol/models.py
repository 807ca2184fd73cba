"""The project's own rows: one-time form tokens (see ``creditcontrol.form_tokens``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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
