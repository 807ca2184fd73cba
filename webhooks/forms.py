from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from events.models import EventKind
from ledger.models import Company


class EndpointForm(forms.Form):
    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.none())
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=gettext_lazy("Events"), 
        choices=EventKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every event."),
    )  # fmt: skip
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
