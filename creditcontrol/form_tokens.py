"""One-time form tokens: every create form is safe against a double submit and against
Back-then-Save, the same idea as the mass email's batch key.

A create form carries a hidden ``form_token`` (a fresh UUID each time the form is shown).
``submit_once`` claims the token by inserting it under a unique index, in the same
transaction as the write: the first submit makes the thing; a second one with the same
token waits for the first to commit, finds the token used, and is redirected to what the
first made. A submit that fails validation rolls the claim back, so the corrected form
can be sent again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import FormToken

ALREADY_SAVED = gettext_lazy(
    "This form was already saved (sent twice, or again after Back): here is what it made."
)


class FormTokenField(forms.UUIDField):
    """The hidden one-time token; a fresh one whenever the form is shown."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", True)
        kwargs.setdefault("initial", uuid.uuid4)
        kwargs.setdefault("error_messages", {
            "required": gettext_lazy(
                "The form is missing its one-time token: reload the page and try again."
            ),
            "invalid": gettext_lazy(
                "The form's one-time token is damaged: reload the page and try again."
            ),
        })  # fmt: skip
        super().__init__(**kwargs)


class OnceFormMixin(forms.Form):
    """Add to a create form: a hidden ``form_token`` field."""

    form_token = FormTokenField()


KEPT = dt.timedelta(days=30)  # a form older than this is not sent again


def _claim(user: Any, token: uuid.UUID) -> FormToken | None:
    """None when claimed now; the earlier claim when the token was used already."""
    FormToken.objects.filter(user=user, used_at__lt=timezone.now() - KEPT).delete()
    try:
        with transaction.atomic():
            FormToken.objects.create(token=token, user=user)
    except IntegrityError:
        return FormToken.objects.filter(token=token, user=user).first() or FormToken(
            token=token, user=user
        )
    return None


def submit_once(request: Any, token: uuid.UUID | None, make: Callable[[], str], *,
                fallback: str) -> HttpResponseRedirect:  # fmt: skip
    """Run ``make`` (which writes and returns the URL of what it made) once per token;
    a repeat goes to the first result (or ``fallback``). ``make``'s ValidationError
    propagates with the claim rolled back. Where the token is optional (forms that
    scripts also post) a post without one is simply made."""
    if token is None:
        return HttpResponseRedirect(make())
    with transaction.atomic():
        earlier = _claim(request.user, token)
        if earlier is None:
            url = make()
            FormToken.objects.filter(token=token).update(result_url=url[:300])
            return HttpResponseRedirect(url)
    messages.info(request, ALREADY_SAVED)
    return HttpResponseRedirect(earlier.result_url or fallback)
