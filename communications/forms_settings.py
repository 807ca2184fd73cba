"""Forms of the manager's settings lists: outcomes, status codes, action types, responses.

Validation (a unique name or code, a status code both promised and queried) comes from
the models' own fields and constraints, which a ModelForm checks before saving.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ActionType, CustomerResponse, Outcome, StatusCode

# The labels people read, marked for translation (the models' field names are not).
LABELS = {
    "name": gettext_lazy("Name"),
    "code": gettext_lazy("Code"),
    "description": gettext_lazy("Description"),
    "creates_promise": gettext_lazy("Creates promise"),
    "behaviour": gettext_lazy("Behaviour"),
    "sort_order": gettext_lazy("Order"),
}


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["name", "creates_promise", "sort_order", "is_active"]
        labels = LABELS


class StatusCodeForm(forms.ModelForm):
    class Meta:
        model = StatusCode
        fields = ["code", "description", "is_promised", "is_queried", "owner_defaults_to_user",
                  "sort_order", "is_active"]  # fmt: skip
        labels = LABELS

    def clean(self):
        data = super().clean()
        if data.get("owner_defaults_to_user") and not data.get("is_queried"):
            self.add_error(
                "owner_defaults_to_user", _("Only a queried code has a resolution owner.")
            )
        return data


class ActionTypeForm(forms.ModelForm):
    class Meta:
        model = ActionType
        fields = ["name", "behaviour", "sort_order", "is_active"]
        labels = LABELS


class CustomerResponseForm(forms.ModelForm):
    class Meta:
        model = CustomerResponse
        fields = ["name", "sort_order", "is_active"]
        labels = LABELS
