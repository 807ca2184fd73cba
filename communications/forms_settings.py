"""Forms of the manager's settings lists: outcomes, status codes, action types, responses.

Validation (a unique name or code, a status code both promised and queried) comes from
the models' own fields and constraints, which a ModelForm checks before saving.
"""

from __future__ import annotations

from django import forms

from .models import ActionType, CustomerResponse, Outcome, StatusCode


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["name", "creates_promise", "sort_order", "is_active"]
        labels = {"sort_order": "Order"}


class StatusCodeForm(forms.ModelForm):
    class Meta:
        model = StatusCode
        fields = ["code", "description", "is_promised", "is_queried", "owner_defaults_to_user",
                  "sort_order", "is_active"]  # fmt: skip
        labels = {"sort_order": "Order"}

    def clean(self):
        data = super().clean()
        if data.get("owner_defaults_to_user") and not data.get("is_queried"):
            self.add_error("owner_defaults_to_user", "Only a queried code has a resolution owner.")
        return data


class ActionTypeForm(forms.ModelForm):
    class Meta:
        model = ActionType
        fields = ["name", "behaviour", "sort_order", "is_active"]
        labels = {"sort_order": "Order"}


class CustomerResponseForm(forms.ModelForm):
    class Meta:
        model = CustomerResponse
        fields = ["name", "sort_order", "is_active"]
        labels = {"sort_order": "Order"}
