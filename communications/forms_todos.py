"""Forms of the To-do pages. They only parse input: the rules live in ``todos.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.form_tokens import FormTokenField
from ledger.models import Company, Customer

from .forms import PersonChoiceField
from .todos import workers_of

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryIdsField(forms.Field):
    """Ticked ledger-entry ids. Deliberately not a choice field: an id outside the
    customer's entries is refused by the service, with a message naming the entries."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Tick entries from the list.")) from None


class ToDoFieldsMixin(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"), widget=DATE_INPUT)
    owner = PersonChoiceField(label=gettext_lazy("Owner"), queryset=get_user_model().objects.none(), required=False,
                              empty_label=gettext_lazy("The customer's controller"))  # fmt: skip
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ToDoCreateForm(ToDoFieldsMixin):
    form_token = FormTokenField(required=False)  # see creditcontrol.form_tokens

    """A to-do by hand. With a known customer the owner list is that company's people and
    its open entries can be ticked; otherwise an account code picks the customer."""

    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.none(), required=False,
                                     empty_label=gettext_lazy("Any of my companies"))  # fmt: skip
    account_code = forms.CharField(
        label=gettext_lazy("Customer account code"), max_length=32, required=False
    )
    entries = EntryIdsField(label=gettext_lazy("Entries"), required=False)

    field_order = ["company", "account_code", "description", "due_on", "owner", "entries", "notes"]

    def __init__(self, *args: Any, user: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.customer = user, customer
        companies = Company.objects.visible_to(user)
        if customer is not None:
            del self.fields["account_code"], self.fields["company"]
            self.fields["owner"].queryset = workers_of([customer.company_id])
            if customer.controller_id:
                self.fields["owner"].empty_label = None
                self.initial.setdefault("owner", customer.controller_id)
        else:
            self.fields["account_code"].required = True
            self.fields["description"].widget.attrs.pop("autofocus", None)
            self.fields["account_code"].widget.attrs["autofocus"] = True
            self.fields["company"].queryset = companies
            if companies.count() < 2:
                del self.fields["company"]
            self.fields["owner"].queryset = workers_of(companies)
            del self.fields["entries"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.customer is None and data.get("account_code"):
            code = data["account_code"].strip()
            found = Customer.objects.visible_to(self.user).filter(account_code__iexact=code)
            if data.get("company"):
                found = found.filter(company=data["company"])
            matches = list(found.select_related("company", "controller")[:2])
            if not matches:
                self.add_error(
                    "account_code",
                    _("No customer of yours has the account code %(code)s.") % {"code": code},
                )
            elif len(matches) > 1:
                self.add_error("account_code", _("Several of your companies have a customer %(code)s: choose the company.") % {"code": code})  # fmt: skip
            else:
                data["customer"] = matches[0]
        return data


class ToDoEditForm(ToDoFieldsMixin):
    def __init__(self, *args: Any, todo: Any, **kwargs: Any) -> None:
        initial = {"description": todo.description, "due_on": todo.due_on,
                   "owner": todo.owner_id, "notes": todo.notes}  # fmt: skip
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["owner"].queryset = workers_of([todo.company_id], also=todo.owner_id)
        self.fields["owner"].required = True
        self.fields["owner"].empty_label = None
        self.fields["description"].widget.attrs.pop("autofocus", None)
