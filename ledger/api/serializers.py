"""API representations of the ledger. Money is a decimal string with its currency beside it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..models import Application, AuditEvent, Company, Contact, Customer, LedgerEntry

MONEY = {"max_digits": 18, "decimal_places": 2}


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "code", "name", "base_currency", "time_zone", "address", "email", "phone"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.none())
    base_currency = serializers.CharField(source="company.base_currency", read_only=True)
    balance_lcy = serializers.DecimalField(**MONEY, read_only=True, default=None,
                                           help_text=gettext_lazy("Sum of open items, in the base currency."))  # fmt: skip
    overdue_lcy = serializers.DecimalField(**MONEY, read_only=True, default=None,
                                           help_text=gettext_lazy("Open debits past their due date, base currency."))  # fmt: skip

    class Meta:
        model = Customer
        fields = [
            "id", "company", "account_code", "name", "address_line1", "address_line2", "city",
            "county", "postcode", "country", "email", "phone", "currency", "tax_number",
            "controller", "credit_limit", "on_hold", "hold_reason", "hold_changed_at",
            "hold_changed_by", "over_limit_since", "exclude_from_followups", "exclude_reason",
            "exclude_until", "debtor_rating", "language", "notes", "payment_terms_days",
            "external_ref", "base_currency", "balance_lcy", "overdue_lcy",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "on_hold",
            "hold_reason",
            "hold_changed_at",
            "hold_changed_by",
            "over_limit_since",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"currency": {"required": False, "help_text": "Defaults to the LCY."}}
        # Uniqueness is checked by the service's full_clean, with the same messages
        # as the pages and the sync.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["company"].queryset = Company.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["company"].read_only = True


class CustomerReasonSerializer(serializers.Serializer):
    """Why a customer is put on hold or released."""

    reason = serializers.CharField(max_length=300)


class ContactSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())

    class Meta:
        model = Contact
        fields = [
            "id", "customer", "first_name", "last_name", "position", "phone", "mobile",
            "email", "notes", "is_credit_contact", "receives_statements", "is_billing",
            "copy_on_reminders", "is_active", "email_bounced_at", "external_ref",
        ]  # fmt: skip
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["customer"].read_only = True


class LedgerEntrySerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    company = serializers.PrimaryKeyRelatedField(read_only=True)
    base_currency = serializers.CharField(source="company.base_currency", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    due_date = serializers.DateField(
        required=False, help_text=gettext_lazy("Defaults from the customer's terms.")
    )
    currency = serializers.CharField(required=False, max_length=3,
                                     help_text=gettext_lazy("Defaults to the customer's currency."))  # fmt: skip
    remaining = serializers.DecimalField(**MONEY, required=False,
                                         help_text=gettext_lazy("Defaults to the amount on a new entry."))  # fmt: skip

    class Meta:
        model = LedgerEntry
        fields = [
            "id", "company", "customer", "entry_type", "document_no", "document_date",
            "due_date", "description", "currency", "exchange_rate", "amount", "remaining",
            "base_currency", "amount_lcy", "remaining_lcy", "is_open", "expected_payment_date",
            "exclude_forever", "exclude_until", "followup_level", "followup_level_on",
            "external_ref", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["amount_lcy", "remaining_lcy", "created_at", "updated_at"]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["customer"].read_only = True


class ApplicationSerializer(serializers.ModelSerializer):
    credit_entry = serializers.PrimaryKeyRelatedField(queryset=LedgerEntry.objects.none())
    debit_entry = serializers.PrimaryKeyRelatedField(queryset=LedgerEntry.objects.none())
    currency = serializers.CharField(source="debit_entry.currency", read_only=True)
    applied_on = serializers.DateField(required=False, help_text=gettext_lazy("Defaults to today."))

    class Meta:
        model = Application
        fields = [
            "id", "company", "credit_entry", "debit_entry", "amount", "currency", "applied_on",
            "external_ref", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = ["company", "created_by", "created_at"]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            visible = LedgerEntry.objects.visible_to(request.user)
            self.fields["credit_entry"].queryset = visible
            self.fields["debit_entry"].queryset = visible


class AuditEventSerializer(serializers.ModelSerializer):
    # Null for what the system did by itself (the worker, a scheduled job).
    user = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "user", "company", "action", "model", "object_id", "object_repr",
                  "before", "after", "source"]  # fmt: skip
        read_only_fields = fields
