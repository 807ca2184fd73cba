"""The self-service page's two forms: query an invoice, promise a payment date."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DisputeForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why do you query this invoice?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class PromiseForm(forms.Form):
    entries = forms.TypedMultipleChoiceField(label=_("Invoices"), coerce=int, choices=())
    promised_on = forms.DateField(label=_("I will pay by"),
                                  widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def __init__(self, *args, entry_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = list(entry_choices)
