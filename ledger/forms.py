"""Forms of the ledger's pages. They parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.form_tokens import FormTokenField
from creditcontrol.roles import can_edit_ledger

from .duplicates import customer_duplicates
from .iso import COUNTRY_CHOICES, CURRENCY_CHOICES
from .models import Company, Contact, Customer
from .services import CONTROLLER_CUSTOMER_FIELDS, CUSTOMER_FIELDS, MASTER_FIELDS

# The labels people read, marked for translation (the models' field names are not).
CUSTOMER_LABELS = {
    "company": gettext_lazy("Company"),
    "account_code": gettext_lazy("Account code"),
    "name": gettext_lazy("Name"),
    "address_line1": gettext_lazy("Address"),
    "address_line2": gettext_lazy("Address (line 2)"),
    "city": gettext_lazy("City"),
    "county": gettext_lazy("County or region"),
    "postcode": gettext_lazy("Postcode"),
    "country": gettext_lazy("Country"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "currency": gettext_lazy("Currency"),
    "tax_number": gettext_lazy("Tax or registration number"),
    "controller": gettext_lazy("Controller"),
    "credit_limit": gettext_lazy("Credit limit"),
    "payment_terms_days": gettext_lazy("Payment terms (days)"),
    "debtor_rating": gettext_lazy("Debtor rating"),
    "language": gettext_lazy("Document language"),
    "notes": gettext_lazy("Notes"),
}
CONTACT_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "position": gettext_lazy("Position"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "mobile": gettext_lazy("Mobile"),
    "is_credit_contact": gettext_lazy("Credit-control contact"),
    "copy_on_reminders": gettext_lazy("Copy (Cc) on reminders"),
    "receives_statements": gettext_lazy("Statement recipient"),
    "is_billing": gettext_lazy("Billing contact"),
    "is_active": gettext_lazy("Active"),
    "notes": gettext_lazy("Notes"),
}


class CustomerCreateForm(forms.ModelForm):
    """A customer added by hand, with the sync's duplicate check: the same account code is
    an error; the same name and postcode a warning the user can confirm past."""

    confirm_duplicate = forms.BooleanField(
        required=False,
        label=gettext_lazy("Yes, this is another customer with the same name and postcode"),
    )
    form_token = FormTokenField()
    country = forms.ChoiceField(
        label=CUSTOMER_LABELS["country"], choices=COUNTRY_CHOICES, required=False
    )
    currency = forms.ChoiceField(label=CUSTOMER_LABELS["currency"],
                                 choices=[("", gettext_lazy("The company's currency")), *CURRENCY_CHOICES],
                                 required=False)  # fmt: skip

    class Meta:
        model = Customer
        labels = {**CUSTOMER_LABELS, "language": gettext_lazy("Language")}
        fields = [
            "company", "account_code", "name", "address_line1", "address_line2", "city",
            "county", "postcode", "country", "email", "phone", "currency", "tax_number",
            "controller", "credit_limit", "payment_terms_days", "debtor_rating", "language",
        ]  # fmt: skip

    def __init__(self, *args: Any, user: Any, controllers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        companies = Company.objects.visible_to(user)
        self.fields["company"].queryset = companies
        if len(companies) == 1:
            self.fields["company"].initial = companies[0]
        self.fields["controller"].queryset = controllers
        self.fields["controller"].label_from_instance = _full_name
        self.duplicate: Customer | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        company, code, name = data.get("company"), data.get("account_code"), data.get("name")
        if company is None or not code or not name:
            return data
        found = customer_duplicates(
            company=company, account_code=code, name=name, postcode=data.get("postcode", "")
        )
        if found.same_code is not None:
            self.add_error("account_code", ValidationError(
                _("Account code %(code)s already belongs to %(name)s; an account code is unique in the company.") % {"code": code, "name": found.same_code.name}, code="duplicate_code"))  # fmt: skip
        if found.same_name is not None and not data.get("confirm_duplicate"):
            self.duplicate = found.same_name
            raise ValidationError(
                _(
                    "%(name)s at postcode “%(postcode)s” already exists as customer %(account_code)s. If this really is another customer, tick the box below and save again."
                )
                % {
                    "name": found.same_name.name,
                    "postcode": found.same_name.postcode,
                    "account_code": found.same_name.account_code,
                },
                code="duplicate_name",
            )
        return data

    def _post_clean(self) -> None:
        # The service validates the model (constraints included) when it saves.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in {*CUSTOMER_FIELDS, "company"}}
        if not data.get("currency"):
            data.pop("currency", None)
        return data


def _full_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class CustomerEditForm(forms.ModelForm):
    """Edit a customer: what the user may change is editable, the rest shown read-only.

    Master data of a customer the sync owns is disabled (the service refuses it too);
    a credit controller gets only the rating and the notes. Hold and exclusion have their
    own pages, with a reason."""

    country = forms.ChoiceField(
        label=CUSTOMER_LABELS["country"], choices=COUNTRY_CHOICES, required=False
    )
    currency = forms.ChoiceField(label=CUSTOMER_LABELS["currency"], choices=CURRENCY_CHOICES)

    class Meta:
        model = Customer
        labels = CUSTOMER_LABELS
        fields = [
            "account_code", "name", "address_line1", "address_line2", "city", "county",
            "postcode", "country", "email", "phone", "currency", "tax_number",
            "payment_terms_days", "controller", "credit_limit", "debtor_rating", "language",
            "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, controllers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["controller"].queryset = controllers
        self.fields["controller"].label_from_instance = _full_name
        self.fields["language"].choices = [("", gettext_lazy("The company's language")),
                                           *self.fields["language"].choices[1:]]  # fmt: skip
        self.fields["controller"].empty_label = gettext_lazy("Nobody")
        self.sync_owned = bool(self.instance.external_ref)
        for name, field in self.fields.items():
            locked = (self.sync_owned and name in MASTER_FIELDS) or (
                not can_edit_ledger(user) and name not in CONTROLLER_CUSTOMER_FIELDS
            )
            if locked:
                field.disabled = True
        self.master_names = [n for n in self.fields if n in MASTER_FIELDS]
        self.ours_names = [n for n in self.fields if n not in MASTER_FIELDS]

    def service_fields(self) -> dict[str, Any]:
        """Only the fields the user could change and did change."""
        return {name: self.cleaned_data[name] for name in self.changed_data
                if not self.fields[name].disabled}  # fmt: skip


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, widget=forms.TextInput(attrs={"size": 60})
    )


class ExclusionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300,
                             widget=forms.TextInput(attrs={"size": 60}))  # fmt: skip
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=gettext_lazy("Blank: until included again by hand."))  # fmt: skip


class ContactForm(forms.ModelForm):
    """A contact with its roles; on a new one, a one-time token against a double submit."""

    form_token = FormTokenField(required=False)

    class Meta:
        model = Contact
        labels = CONTACT_LABELS
        fields = [
            "first_name", "last_name", "position", "email", "phone", "mobile",
            "is_credit_contact", "copy_on_reminders", "receives_statements", "is_billing",
            "is_active", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "is_credit_contact": gettext_lazy(
                "Receives reminders (To). Naming one replaces the customer's current one."
            ),
            "copy_on_reminders": gettext_lazy("Gets a copy of every reminder (Cc)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["form_token"].required = True
            del self.fields["is_active"]
        else:
            del self.fields["form_token"]

    def _post_clean(self) -> None:
        pass  # the service validates when it saves

    def service_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "form_token"}
