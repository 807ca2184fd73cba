"""Bulk, idempotent sync endpoints for integrators: POST a batch, get counts or every bad row.

Each takes ``{"company": <id or code>, "rows": [...]}`` (at most 10,000 rows) and
calls the matching function of ``ledger.sync``, which applies the batch whole or
not at all. The row serializers below document the rows; the rows themselves are
validated by the sync's forms, so the API and the CSV import give the same messages.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from creditcontrol.roles import HasAnyRole, can_edit_ledger

from .. import sync
from ..models import Company, DebtorRating, EntryType

MONEY = {"max_digits": 18, "decimal_places": 2}


def _company_of(user: Any, value: Any) -> Company:
    """The company named by id or code, if ``user`` may see it (404 otherwise)."""
    visible = Company.objects.visible_to(user)
    text = str(value).strip() if isinstance(value, str | int) and value is not True else ""
    company = visible.filter(code=text).first() if text else None
    if company is None and text.isdigit():
        company = visible.filter(pk=int(text)).first()
    if company is None:
        raise Http404(_("No company with this id or code is visible to you."))
    return company


def _bad_request(field: str, message: str) -> Response:
    return Response({"errors": [{"field": field, "message": message}]}, status=400)


class SyncView(APIView):
    """POST a batch of rows keyed by external_ref; applied whole or not at all."""

    permission_classes = [HasAnyRole]
    write_permission = staticmethod(can_edit_ledger)
    sync_function: Any = None

    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict):
            return _bad_request("", _('Send an object: {"company": <id or code>, "rows": [...]}.'))
        if body.get("company") in (None, ""):
            return _bad_request("company", _("Give the company's id or code."))
        rows = body.get("rows")
        if not isinstance(rows, list):
            return _bad_request("rows", _("Give the rows as a list of objects."))
        if len(rows) > sync.MAX_ROWS:
            return _bad_request(
                "rows",
                f"A batch may hold at most {sync.MAX_ROWS:,} rows; this one has "
                f"{len(rows):,}. Split it into smaller batches.",
            )
        company = _company_of(request.user, body["company"])
        result = type(self).sync_function(
            user=request.user, company=company, rows=rows, source="api"
        )
        if not result.ok:
            return Response({"errors": result.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "ids": result.ids,
            }
        )


# --- Schema: the rows, the answer and the errors -------------------------------------


class SyncResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(
        help_text=gettext_lazy("Rows equal to what is stored: not written.")
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("The stored ids, in the order of the rows."),
    )


class SyncErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text=gettext_lazy("0-based position of the row; null for the batch."),
    )
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()
    duplicate_of = serializers.IntegerField(
        required=False, help_text=gettext_lazy("The id of the stored record, or the index of the earlier row, "
        "that this row duplicates (see duplicate_in)."),
    )  # fmt: skip
    duplicate_in = serializers.ChoiceField(choices=["database", "batch"], required=False)


class SyncErrorsSerializer(serializers.Serializer):
    errors = SyncErrorSerializer(many=True)


def _ref(help_text: str = "The record's key in the accounting system.", **kw: Any):
    return serializers.CharField(max_length=64, help_text=help_text, **kw)


class CustomerRefFields(serializers.Serializer):
    customer_ref = _ref("The customer's external_ref (or give `customer`).", required=False)
    customer = serializers.IntegerField(
        required=False, help_text=gettext_lazy("The customer's id.")
    )


class CustomerRowSerializer(serializers.Serializer):
    external_ref = _ref()
    account_code = serializers.CharField(
        max_length=32, required=False, help_text=gettext_lazy("Required when new.")
    )
    name = serializers.CharField(
        max_length=200, required=False, help_text=gettext_lazy("Required when new.")
    )
    address_line1 = serializers.CharField(required=False, allow_blank=True)
    address_line2 = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    postcode = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(required=False, max_length=3,
                                     help_text=gettext_lazy("Defaults to the company's base currency."))  # fmt: skip
    controller = serializers.CharField(required=False, allow_blank=True,
                                       help_text=gettext_lazy("A member's user id or username."))  # fmt: skip
    credit_limit = serializers.DecimalField(**MONEY, required=False)
    on_hold = serializers.BooleanField(required=False)
    exclude_from_followups = serializers.BooleanField(required=False)
    debtor_rating = serializers.ChoiceField(choices=DebtorRating.choices, required=False)
    payment_terms_days = serializers.IntegerField(required=False, min_value=0)
    allow_duplicate_name = serializers.BooleanField(
        required=False, help_text=gettext_lazy("Create it even though a customer with the same name and "
        "postcode exists (an account code clash is never allowed)."),
    )  # fmt: skip


class ContactRowSerializer(CustomerRefFields):
    external_ref = _ref()
    first_name = serializers.CharField(required=False, allow_blank=True)
    last_name = serializers.CharField(required=False, help_text=gettext_lazy("Required when new."))
    position = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    mobile = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    is_credit_contact = serializers.BooleanField(
        required=False,
        help_text=gettext_lazy("Naming one demotes the customer's other credit contact."),
    )


class EntryRowSerializer(CustomerRefFields):
    external_ref = _ref()
    entry_type = serializers.ChoiceField(choices=EntryType.choices, required=False)
    document_no = serializers.CharField(max_length=40, required=False)
    document_date = serializers.DateField(required=False)
    due_date = serializers.DateField(
        required=False, help_text=gettext_lazy("Defaults from the customer's terms.")
    )
    description = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(required=False, max_length=3,
                                     help_text=gettext_lazy("Defaults to the customer's currency."))  # fmt: skip
    exchange_rate = serializers.DecimalField(max_digits=18, decimal_places=6, required=False,
                                             help_text=gettext_lazy("Base currency per unit; required for "
                                             "a new entry in a foreign currency."))  # fmt: skip
    amount = serializers.DecimalField(**MONEY, required=False,
                                      help_text=gettext_lazy("Invoices and debit memos positive, payments "
                                      "and credit notes negative."))  # fmt: skip
    remaining = serializers.DecimalField(**MONEY, required=False,
                                         help_text=gettext_lazy("Defaults to the amount when new; when sent, "
                                         "it overwrites ours (the accounting system is the "
                                         "system of record)."))  # fmt: skip
    expected_payment_date = serializers.DateField(required=False, allow_null=True)
    exclude_forever = serializers.BooleanField(required=False)
    exclude_until = serializers.DateField(required=False, allow_null=True)


class ApplicationRowSerializer(serializers.Serializer):
    external_ref = _ref()
    credit_ref = _ref("The payment's or credit note's external_ref.", required=False)
    credit_entry = serializers.IntegerField(required=False, help_text=gettext_lazy("Or its id."))
    debit_ref = _ref("The invoice's or debit memo's external_ref.", required=False)
    debit_entry = serializers.IntegerField(required=False, help_text=gettext_lazy("Or its id."))
    amount = serializers.DecimalField(
        **MONEY, help_text=gettext_lazy("Positive; lowers both entries.")
    )
    applied_on = serializers.DateField(required=False, help_text=gettext_lazy("Defaults to today."))


def _request_serializer(name: str, row: type[serializers.Serializer]) -> type:
    fields = {
        "company": serializers.CharField(help_text=_("The company's id or code.")),
        "rows": row(
            many=True,
            help_text=_("At most %(max_rows)s rows.") % {"max_rows": format(sync.MAX_ROWS, ",")},
        ),
    }
    return type(name, (serializers.Serializer,), fields)


def _schema(what: str, row: type[serializers.Serializer], name: str, example: dict):
    return extend_schema(
        summary=f"Sync {what} (bulk, idempotent)",
        description=(
            f"Create or update {what} keyed by `external_ref`. Sending the same batch twice "
            "changes nothing the second time (`unchanged`). The batch is applied whole or not "
            "at all: any bad row, likely duplicate or clash gives 400 with every bad row named "
            "by its 0-based `index`, and nothing is written."
        ),
        request=_request_serializer(f"{name}SyncRequest", row),
        responses={
            200: SyncResultSerializer,
            400: OpenApiResponse(SyncErrorsSerializer, description="Nothing was written."),
            403: OpenApiResponse(description="Your role may not sync (controllers may not)."),
            404: OpenApiResponse(description="No such company visible to you."),
        },
        examples=[
            OpenApiExample(
                f"{name} batch", request_only=True, value={"company": "ACME", "rows": [example]}
            )
        ],
        tags=["sync"],
    )


@_schema("customers", CustomerRowSerializer, "Customer",
         {"external_ref": "SAGE-1001", "account_code": "BOLT01", "name": "Bolt & Nut Ltd",
          "postcode": "LS1 4AB", "credit_limit": "5000.00", "payment_terms_days": 30})  # fmt: skip
class CustomerSyncView(SyncView):
    sync_function = staticmethod(sync.sync_customers)


@_schema("contacts", ContactRowSerializer, "Contact",
         {"external_ref": "SAGE-C-77", "customer_ref": "SAGE-1001", "first_name": "Jane",
          "last_name": "Smith", "email": "jane@bolt.example", "is_credit_contact": True})  # fmt: skip
class ContactSyncView(SyncView):
    sync_function = staticmethod(sync.sync_contacts)


@_schema("ledger entries", EntryRowSerializer, "LedgerEntry",
         {"external_ref": "SAGE-INV-5001", "customer_ref": "SAGE-1001", "entry_type": "invoice",
          "document_no": "INV5001", "document_date": "2026-10-01", "amount": "1200.00"})  # fmt: skip
class LedgerEntrySyncView(SyncView):
    sync_function = staticmethod(sync.sync_entries)


@_schema("applications", ApplicationRowSerializer, "Application",
         {"external_ref": "SAGE-APP-9", "credit_ref": "SAGE-PAY-300", "debit_ref": "SAGE-INV-5001",
          "amount": "400.00", "applied_on": "2026-10-20"})  # fmt: skip
class ApplicationSyncView(SyncView):
    sync_function = staticmethod(sync.sync_applications)
