"""Reading a sync batch: one form per kind of row, every bad row collected by index.

JSON values and CSV strings are read alike. Field names are those of the API
representations; a customer is referred to by ``customer_ref`` (its external_ref) or
``customer`` (its id), an entry likewise by ``credit_ref``/``credit_entry`` and
``debit_ref``/``debit_entry``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .models import Company, DebtorRating, EntryType, validate_currency, validate_single_line

CENT = Decimal("0.01")
# Read-only fields of the API representations: a row copied from a GET may carry them.
IGNORED = {"id", "company", "created_at", "updated_at", "base_currency", "balance_lcy",
           "overdue_lcy", "amount_lcy", "remaining_lcy", "is_open", "currency_lcy",
           "created_by"}  # fmt: skip


class FlexibleBooleanField(forms.Field):
    """true/false, yes/no, 1/0 (any case) or a JSON boolean; empty means not given."""

    widget = forms.TextInput  # the raw value, not a checkbox's reading of it

    def to_python(self, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "yes", "y", "1"}:
            return True
        if text in {"false", "no", "n", "0"}:
            return False
        raise ValidationError(gettext("Enter true or false (yes/no and 1/0 are accepted too)."))


class CodeField(forms.CharField):
    """A currency or country code: upper-cased before it is checked."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).upper()


def _ref(required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(max_length=64, required=required, **kwargs)


def _text(max_length: int, required: bool = False, one_line: bool = True) -> forms.CharField:
    validators = [validate_single_line] if one_line else []
    return forms.CharField(max_length=max_length, required=required, validators=validators)


def _money(messages: dict[str, str] | None = None, **kwargs: Any) -> forms.DecimalField:
    invalid = gettext_lazy(
        "Enter an amount such as 1234.56 (a point for decimals, no thousands separators)."
    )
    return forms.DecimalField(
        max_digits=18, decimal_places=2, required=False,
        error_messages={"invalid": invalid, **(messages or {})}, **kwargs,
    )  # fmt: skip


def _date() -> forms.DateField:
    return forms.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": gettext("Enter the date as YYYY-MM-DD, for example 2026-10-31.")},
    )  # fmt: skip


REF_REQUIRED = {"required": gettext_lazy("Every row needs an external_ref: the record's key "
                                         "in the accounting system.")}  # fmt: skip


class RowForm(forms.Form):
    """A row of a batch. ``required_new`` must be given for a new record; ``clearable``
    fields take an empty value as a value (blank text, no date) rather than as absent."""

    external_ref = _ref(error_messages=REF_REQUIRED)
    kind = "record"
    required_new: tuple[str, ...] = ()
    clearable: frozenset[str] = frozenset()

    @classmethod
    def clean_row(cls, row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The fields ``row`` gives, cleaned by this form's fields, and the errors by field.

        The fields and messages of ``cls(data=row).is_valid()`` without a form instance:
        each instance deep-copies every field, which costs seconds over 10,000 rows.
        An empty value counts as not given, except for the ``clearable`` fields.
        """
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, form_field in cls.base_fields.items():
            if name not in row and name != "external_ref":
                continue
            try:
                value = form_field.clean(row.get(name))
            except ValidationError as exc:
                errors[name] = exc.messages
                continue
            if isinstance(value, Decimal):  # 100 and 100.00 are the same amount
                value = value.quantize(Decimal(1).scaleb(-form_field.decimal_places))
            if (value is not None and value != "") or name in cls.clearable:
                values[name] = value
        return values, errors


class CustomerRow(RowForm):
    kind = "customer"
    account_code = _text(32, required=True)
    name = _text(200, required=True)
    address_line1 = _text(200)
    address_line2 = _text(200)
    city = _text(100)
    postcode = _text(20)
    country = CodeField(max_length=2, required=False)
    email = forms.EmailField(required=False)
    phone = _text(40)
    currency = CodeField(max_length=3, required=False, validators=[validate_currency])
    controller = forms.CharField(required=False, help_text=gettext_lazy("A user's id or username."))
    credit_limit = _money({"min_value": "A credit limit cannot be negative."}, min_value=0)
    on_hold = FlexibleBooleanField(required=False)
    exclude_from_followups = FlexibleBooleanField(required=False)
    debtor_rating = forms.ChoiceField(
        choices=DebtorRating.choices, required=False,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not a debtor rating; use good, normal or bad.")},
    )  # fmt: skip
    payment_terms_days = forms.IntegerField(min_value=0, max_value=32767, required=False)
    allow_duplicate_name = FlexibleBooleanField(required=False)
    required_new = ("account_code", "name")
    clearable = frozenset({"address_line1", "address_line2", "city", "postcode", "country",
                           "email", "phone", "controller"})  # fmt: skip


class CustomerRef(RowForm):
    customer_ref = _ref(required=False, help_text=gettext_lazy("The customer's external_ref."))
    customer = forms.IntegerField(
        min_value=1, required=False, help_text=gettext_lazy("The customer's id.")
    )


class ContactRow(CustomerRef):
    kind = "contact"
    first_name = _text(100)
    last_name = _text(100, required=True)
    position = _text(100)
    phone = _text(40)
    mobile = _text(40)
    email = forms.EmailField(required=False)
    notes = forms.CharField(required=False)
    is_credit_contact = FlexibleBooleanField(required=False)
    required_new = ("customer", "last_name")
    clearable = frozenset({"first_name", "position", "phone", "mobile", "email", "notes"})


class EntryRow(CustomerRef):
    kind = "ledger entry"
    entry_type = forms.ChoiceField(
        choices=EntryType.choices, required=True,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not an entry type; use invoice, "
                                          "debit_memo, credit_note or payment.")},
    )  # fmt: skip
    document_no = _text(40, required=True)
    document_date = _date()
    due_date = _date()
    description = _text(200, one_line=False)
    currency = CodeField(max_length=3, required=False, validators=[validate_currency])
    exchange_rate = forms.DecimalField(max_digits=18, decimal_places=6, required=False)
    amount = _money()
    remaining = _money()
    expected_payment_date = _date()
    exclude_forever = FlexibleBooleanField(required=False)
    exclude_until = _date()
    # Go-live: where chasing had got to in the system this one replaces.
    followup_level = forms.IntegerField(
        required=False, min_value=0, max_value=99,
        help_text=gettext_lazy("The sequence of the last follow-up level executed for the entry (0: none)."),
    )  # fmt: skip
    followup_level_on = _date()
    # An invoice copy uploaded ahead (POST /api/v1/entry-documents/), attached by its ref.
    document_ref = forms.UUIDField(required=False)
    required_new = ("customer", "entry_type", "document_no", "document_date", "amount")
    clearable = frozenset({"description", "expected_payment_date", "exclude_until",
                           "followup_level_on"})  # fmt: skip


class ApplicationRow(RowForm):
    kind = "application"
    credit_ref = _ref(
        required=False, help_text=gettext_lazy("The payment's or credit note's external_ref.")
    )
    credit_entry = forms.IntegerField(min_value=1, required=False)
    debit_ref = _ref(
        required=False, help_text=gettext_lazy("The invoice's or debit memo's external_ref.")
    )
    debit_entry = forms.IntegerField(min_value=1, required=False)
    amount = _money(
        {"min_value": gettext_lazy("The amount applied must be more than zero.")}, min_value=CENT
    )
    applied_on = _date()
    required_new = ("credit_entry", "debit_entry", "amount")


def columns(form_class: type[RowForm]) -> list[str]:
    """The field names a row of this kind may carry (the CSV header's columns)."""
    return list(form_class.base_fields)


# --- Reading a batch: rows cleaned, references resolved ---------------------------------


def error(index: int | None, field_name: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"index": index, "field": field_name, "message": message, **extra}


@dataclass
class Batch:
    user: Any
    company: Company
    rows: list[Any]
    source: str
    values: list[dict[str, Any] | None] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    now: dt.datetime = field(default_factory=timezone.now)

    def valid(self) -> list[tuple[int, dict[str, Any]]]:
        return [(i, v) for i, v in enumerate(self.values) if v is not None]

    def fail(self, index: int | None, field_name: str, message: str, **extra: Any) -> None:
        self.errors.append(error(index, field_name, message, **extra))
        if index is not None:
            self.values[index] = None


def clean_rows(batch: Batch, form_class: type[RowForm]) -> None:
    """The cleaned, given fields of each row (None for a row with errors)."""
    known = set(form_class.base_fields)
    for index, row in enumerate(batch.rows):
        batch.values.append(None)
        if not isinstance(row, dict):
            batch.fail(index, "", gettext("Each row must be an object of field names and values, like a %(kind)s of the API.") % {"kind": form_class.kind})  # fmt: skip
            continue
        bad = False
        for name in sorted(set(row) - known - IGNORED, key=str):
            batch.fail(
                index,
                str(name),
                gettext("There is no field “%(name)s” for a %(kind)s.")
                % {"name": name, "kind": form_class.kind},
            )
            bad = True
        for name in sorted(known & set(row)):
            if isinstance(row[name], dict | list):
                batch.fail(
                    index, name, gettext("Give a single value here, not a list or an object.")
                )
                bad = True
        if bad:
            continue
        values, problems = form_class.clean_row(row)
        for name, messages in problems.items():
            for message in messages:
                batch.fail(index, name, message)
        if not problems:
            batch.values[index] = values
    seen: dict[str, int] = {}
    for index, values in batch.valid():
        ref = values["external_ref"]
        if ref in seen:
            batch.fail(index, "external_ref", gettext("external_ref “%(ref)s” is already used by row %(value)s of this batch; each record may appear once.") % {"ref": ref, "value": seen[ref]})  # fmt: skip
        seen.setdefault(ref, index)


def require_new(batch: Batch, index: int, values: dict, form_class: type[RowForm]) -> bool:
    """For a new record, every field it cannot do without; False if one is missing."""
    missing = [
        name for name in form_class.required_new
        if name not in values and not (name.endswith(("customer", "_entry"))
                                       and ref_name(name) in values)
    ]  # fmt: skip
    for name in missing:
        shown = ref_name(name) if name.endswith(("customer", "_entry")) else name
        batch.fail(
            index,
            shown,
            gettext("This field is required for a new %(kind)s.") % {"kind": form_class.kind},
        )
    return not missing


def ref_name(id_field: str) -> str:
    """The ``<x>_ref`` field that can stand for an id field (the name itself otherwise)."""
    return {"customer": "customer_ref", "credit_entry": "credit_ref",
            "debit_entry": "debit_ref"}.get(id_field, id_field)  # fmt: skip


def resolve(batch: Batch, queryset: models.QuerySet, id_field: str, noun: str) -> dict:
    """Each row's referenced record (by ``<x>_ref`` or by id), loaded in one query."""
    ref_field = ref_name(id_field)
    refs = {v[ref_field] for _, v in batch.valid() if ref_field in v}
    ids = {v[id_field] for _, v in batch.valid() if id_field in v}
    if not refs and not ids:
        return {}
    found = list(queryset.filter(Q(external_ref__in=refs) | Q(pk__in=ids)))
    by_ref = {obj.external_ref: obj for obj in found if obj.external_ref}
    by_id = {obj.pk: obj for obj in found}
    resolved = {}
    for index, values in batch.valid():
        by_ref_obj = by_ref.get(values.get(ref_field)) if ref_field in values else None
        by_id_obj = by_id.get(values.get(id_field)) if id_field in values else None
        if ref_field in values and by_ref_obj is None:
            batch.fail(index, ref_field, gettext("No %(noun)s with external_ref “%(value)s” in %(code)s; sync it first.") % {"noun": noun, "value": values[ref_field], "code": batch.company.code})  # fmt: skip
        elif id_field in values and by_id_obj is None:
            batch.fail(
                index,
                id_field,
                gettext("No %(noun)s with id %(value)s in %(code)s.")
                % {"noun": noun, "value": values[id_field], "code": batch.company.code},
            )
        elif by_ref_obj and by_id_obj and by_ref_obj.pk != by_id_obj.pk:
            batch.fail(
                index,
                ref_field,
                gettext("%(ref_field)s and %(id_field)s name two different %(noun)ss.")
                % {"ref_field": ref_field, "id_field": id_field, "noun": noun},
            )
        elif by_ref_obj or by_id_obj:
            resolved[index] = by_ref_obj or by_id_obj
    return resolved


def resolve_controllers(batch: Batch) -> None:
    """``controller`` is a user's id or username, who must belong to the company."""
    wanted = [(i, v) for i, v in batch.valid() if "controller" in v]
    if not wanted:
        return
    members = get_user_model().objects.filter(companies=batch.company).values_list("id", "username")
    by_name = {name.lower(): pk for pk, name in members}
    by_id = {pk for pk, _ in members}
    for index, values in wanted:
        given = str(values.pop("controller") or "").strip()
        if not given:
            values["controller_id"] = None
        elif given.isdigit() and int(given) in by_id:
            values["controller_id"] = int(given)
        elif given.lower() in by_name:
            values["controller_id"] = by_name[given.lower()]
        else:
            batch.fail(index, "controller", gettext("No user “%(given)s” belongs to %(code)s; give a member's id or username.") % {"given": given, "code": batch.company.code})  # fmt: skip
