"""Forms of the ledger's pages. They parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .duplicates import customer_duplicates
from .models import Company, Customer
from .services import CUSTOMER_FIELDS


class CustomerCreateForm(forms.ModelForm):
    """A customer added by hand, with the sync's duplicate check: the same account code is
    an error; the same name and postcode a warning the user can confirm past."""

    confirm_duplicate = forms.BooleanField(
        required=False, label="Yes, this is another customer with the same name and postcode"
    )

    class Meta:
        model = Customer
        fields = [
            "company", "account_code", "name", "address_line1", "address_line2", "city",
            "postcode", "country", "email", "phone", "currency", "controller", "credit_limit",
            "payment_terms_days", "debtor_rating", "on_hold", "exclude_from_followups",
        ]  # fmt: skip

    def __init__(self, *args: Any, user: Any, controllers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        companies = Company.objects.visible_to(user)
        self.fields["company"].queryset = companies
        if len(companies) == 1:
            self.fields["company"].initial = companies[0]
        self.fields["controller"].queryset = controllers
        self.fields["currency"].required = False
        self.fields["currency"].help_text = "Blank: the company's currency."
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
                f"Account code {code} already belongs to {found.same_code.name}; an account "
                f"code is unique in the company.", code="duplicate_code"))  # fmt: skip
        if found.same_name is not None and not data.get("confirm_duplicate"):
            self.duplicate = found.same_name
            raise ValidationError(
                f"{found.same_name.name} at postcode “{found.same_name.postcode}” already "
                f"exists as customer {found.same_name.account_code}. If this really is another "
                f"customer, tick the box below and save again.",
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
