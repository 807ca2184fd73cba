"""Named API tokens for integrators, and the mark that signs a person out everywhere."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.templatetags.ui import when


def token_digest(key: str) -> str:
    """Tokens are stored as their SHA-256: a database leak does not leak working keys."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An integrator's API key with a name; shown once when created, revocable, and
    stamped with when it was last used."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")  # fmt: skip
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=8, help_text=gettext_lazy("The key's first characters, to tell keys apart.")
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="api_token_named",
                                   violation_error_message="A token needs a name."),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SignOutMark(models.Model):
    """When a person last chose "sign out everywhere": sessions begun before it end."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="sign_out_mark")  # fmt: skip
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return _("%(user)s signed out everywhere at %(when)s") % {
            "user": self.user,
            "when": when(self.at),
        }
