"""Forms of the ledger entries workbench: update selected entries, and an entry's dispute.

The forms only parse what was typed; the rules (amounts against remaining, date ranges,
whose entries) live in the services, whose errors the views put back on these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from ledger.models import Company

from .forms import PersonChoiceField
from .models import StatusCode
from .todos import workers_of

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})


class StatusCodeSelect(forms.Select):
    """Options carry the code's flags, so the page can ask for a promise or a query."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        code = getattr(value, "instance", None)
        if isinstance(code, StatusCode):
            option["attrs"].update(
                {
                    "data-promised": "1" if code.is_promised else "0",
                    "data-queried": "1" if code.is_queried else "0",
                    "data-owner-default": "1" if code.owner_defaults_to_user else "0",
                }
            )
        return option


class StatusCodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StatusCode) -> str:
        return f"{obj.code}: {obj.description}"


class EntriesUpdateForm(forms.Form):
    """Status code, promise or query, and a note, for every selected entry at once."""

    status_code = StatusCodeChoiceField(
        label=gettext_lazy("Status code"),
        queryset=StatusCode.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("— keep each entry's code —"),
        widget=StatusCodeSelect,
    )
    is_full = forms.BooleanField(label=gettext_lazy("Full amount"), required=False)
    amount = forms.DecimalField(
        label=gettext_lazy("Partial amount"), required=False, max_digits=18, decimal_places=2,
        widget=MONEY_WIDGET,
    )  # fmt: skip
    promised_on = forms.DateField(
        label=gettext_lazy("Promised date"), required=False, widget=DATE_WIDGET
    )
    query_target_on = forms.DateField(
        label=gettext_lazy("Resolution target date"), required=False, widget=DATE_WIDGET
    )
    query_owner = PersonChoiceField(
        label=gettext_lazy("Resolution owner"), queryset=get_user_model().objects.none(), required=False,
        empty_label=gettext_lazy("— as the code says —"),
    )  # fmt: skip
    note = forms.CharField(
        label=gettext_lazy("Note on each entry"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["query_owner"].queryset = workers_of(company)


class DisputeForm(forms.Form):
    """The disputed part of one entry: amount (zero ends it), reason and owner."""

    amount = forms.DecimalField(
        label=gettext_lazy("Disputed amount"), max_digits=18, decimal_places=2, widget=MONEY_WIDGET
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonChoiceField(label=gettext_lazy("Owner"), queryset=get_user_model().objects.none(),
                              required=False, empty_label=gettext_lazy("— me —"))  # fmt: skip

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = workers_of(company)
