"""Forms of the team pages: they parse; ``team.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from creditcontrol.form_tokens import FormTokenField
from creditcontrol.roles import ALL_ROLES
from ledger.models import Company


class UserForm(forms.Form):
    username = forms.RegexField(label=gettext_lazy("User name"), regex=r"^[\w.@+-]+$", max_length=150,
                                help_text=gettext_lazy("Letters, digits and @ . + - _ only."))  # fmt: skip
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("Email"), help_text=gettext_lazy("The invitation link goes here.")
    )
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), choices=[(r, r) for r in ALL_ROLES],
                                      widget=forms.CheckboxSelectMultiple, required=False)  # fmt: skip
    companies = forms.ModelMultipleChoiceField(label=gettext_lazy("Companies"), queryset=Company.objects.none(),
                                               widget=forms.CheckboxSelectMultiple, required=False)  # fmt: skip
    form_token = FormTokenField(required=False)

    def __init__(self, *args: Any, admin: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = Company.objects.visible_to(admin)
        if editing:
            del self.fields["username"]
            del self.fields["form_token"]
            self.fields["email"].help_text = ""
        else:
            self.fields["form_token"].required = True


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("The system that will use it, e.g. “Sage 200 sync”."),
    )
