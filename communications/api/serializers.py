"""API representations of the workbench. Money is a decimal string with its currency beside it;
datetimes carry their offset. Reads and writes have separate serializers: a write names only
what a client may send, and the service it goes to decides the rest."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ledger.models import Company, Contact, Customer, LedgerEntry

from ..models import (
    ActionType,
    CallAction,
    Communication,
    CustomerResponse,
    Dispute,
    EntryNote,
    EntryStatus,
    Notification,
    Outcome,
    Promise,
    StatusCode,
    ToDo,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
MAX_ENTRIES = 1000
MAX_ID = 2**63 - 1  # the largest id a database column holds


def _related(what: str, **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """A reference by id whose refusals say what was not found, in words."""
    return serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(),  # set per request by VisibleRelations
        error_messages={
            "does_not_exist": _("No %(what)s with id {pk_value} is visible to you.")
            % {"what": what},
            "incorrect_type": _("Give the %(what)s's id (a number), not {data_type}.")
            % {"what": what},
            "required": _("Give the %(what)s's id.") % {"what": what},
            "null": _("Give the %(what)s's id.") % {"what": what},
        },
        **kwargs,
    )


def _entry_ids(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(
            min_value=1,
            max_value=MAX_ID,
            error_messages={
                "invalid": _("Entry ids are numbers."),
                "min_value": _("Entry ids are positive numbers."),
                "max_value": _("No entry has so large an id."),
            },
        ),
        max_length=MAX_ENTRIES,
        help_text=_("Ids of the customer's ledger entries."),
        **kwargs,
    )


def users_visible_to(user: Any):
    """People who belong to a company the requester belongs to."""
    return (
        get_user_model()
        .objects.filter(companies__in=Company.objects.visible_to(user))
        .distinct()
        .order_by("pk")
    )


# Which queryset each kind of reference is looked up in, for the requesting user.
VISIBLE = {
    "customer": lambda user: Customer.objects.visible_to(user),
    "contact": lambda user: Contact.objects.visible_to(user),
    "entry": lambda user: LedgerEntry.objects.visible_to(user),
    "communication": lambda user: Communication.objects.visible_to(user),
    "user": users_visible_to,
    "outcome": lambda user: Outcome.objects.all(),
    "status_code": lambda user: StatusCode.objects.all(),
    "action_type": lambda user: ActionType.objects.all(),
    "response": lambda user: CustomerResponse.objects.all(),
}


class VisibleRelations:
    """Look references up only among what the requester may see (``relations``: field -> kind)."""

    relations: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, kind in self.relations.items():
            field = self.fields.get(name)
            if field is not None and not field.read_only:
                field.queryset = VISIBLE[kind](user) if user is not None else field.queryset


class PromiseInputSerializer(serializers.Serializer):
    """A promise typed with a communication or an update of entries: full or partial, dated."""

    amount = serializers.DecimalField(
        **MONEY, required=False, allow_null=True,
        help_text=gettext_lazy("The promised amount in the entries' currency; leave out with full_amount."),
    )  # fmt: skip
    full_amount = serializers.BooleanField(
        default=False, help_text=gettext_lazy("The full remaining amount of the entries.")
    )
    promised_on = serializers.DateField(
        help_text=gettext_lazy("The date the customer promised to pay by.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("full_amount") and attrs.get("amount") is not None:
            raise serializers.ValidationError(
                {"amount": _("Give an amount or full_amount, not both.")}
            )
        return attrs


# --- communications ------------------------------------------------------------------


class CommunicationSerializer(serializers.ModelSerializer):
    base_currency = serializers.CharField(source="company.base_currency", read_only=True)
    balance_lcy = serializers.DecimalField(
        **MONEY, read_only=True,
        help_text=gettext_lazy("The customer's balance (base currency) when this was recorded; kept."),
    )  # fmt: skip
    entries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    promises = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=gettext_lazy("Promises to pay made on it.")
    )
    is_live = serializers.BooleanField(read_only=True, help_text=gettext_lazy("Not completed yet."))

    class Meta:
        model = Communication
        fields = [
            "id", "company", "customer", "communication_type", "subject", "occurred_at",
            "our_contact", "contact_type", "letter_style", "location", "contact",
            "contact_name", "contact_phone", "contact_email", "outcome", "follow_up_on",
            "follow_up_time", "notes", "balance_lcy", "base_currency", "entries", "promises",
            "is_live", "completed_at", "completed_by", "source", "created_by", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


WRITABLE_COMMUNICATION_FIELDS = [
    "communication_type", "subject", "occurred_at", "our_contact", "contact_type",
    "letter_style", "location", "contact", "contact_name", "contact_phone", "contact_email",
    "outcome", "follow_up_on", "follow_up_time", "notes",
]  # fmt: skip


class CommunicationUpdateSerializer(VisibleRelations, serializers.ModelSerializer):
    """What may be amended on a communication (its balance and entries stay as recorded)."""

    relations = {"our_contact": "user", "contact": "contact", "outcome": "outcome"}
    our_contact = _related("user", required=False, help_text=gettext_lazy("Defaults to you."))
    contact = _related(
        "contact",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("One of the customer's contacts, or give contact_name."),
    )
    outcome = _related("outcome", required=False, allow_null=True)

    class Meta:
        model = Communication
        fields = WRITABLE_COMMUNICATION_FIELDS
        extra_kwargs = {"occurred_at": {"required": False, "help_text": "Defaults to now."}}


class CommunicationCreateSerializer(CommunicationUpdateSerializer):
    """A new communication with a customer, over some of its entries, perhaps with a promise."""

    relations = {**CommunicationUpdateSerializer.relations, "customer": "customer"}
    customer = _related("customer")
    entries = _entry_ids(required=False, default=list)
    promise = PromiseInputSerializer(
        required=False, allow_null=True,
        help_text=gettext_lazy("Needed when the outcome creates a promise (\"payment promised\")."),
    )  # fmt: skip

    class Meta(CommunicationUpdateSerializer.Meta):
        fields = ["customer", *WRITABLE_COMMUNICATION_FIELDS, "entries", "promise"]


class EntriesUpdateSerializer(VisibleRelations, serializers.Serializer):
    """Update every selected entry of the communication's customer at once."""

    relations = {"status_code": "status_code", "query_owner": "user"}
    entries = _entry_ids(min_length=1)
    status_code = _related("status code", required=False, allow_null=True)
    promise = PromiseInputSerializer(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Needed when the status code is *promised*."),
    )
    query_target_on = serializers.DateField(
        required=False, allow_null=True,
        help_text=gettext_lazy("For a *queried* code: the resolution target date (default today)."),
    )  # fmt: skip
    query_owner = _related(
        "user", required=False, allow_null=True,
        help_text=gettext_lazy("For a *queried* code: the resolution owner (default you, if the code says)."),
    )  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text=gettext_lazy("Added to each entry's notes."))  # fmt: skip


class EntryStatusSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="entry.customer_id", read_only=True)
    status_code_label = serializers.CharField(
        source="status_code.code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = EntryStatus
        fields = ["entry", "company", "customer", "status_code", "status_code_label",
                  "query_target_on", "query_owner", "updated_by", "updated_at"]  # fmt: skip
        read_only_fields = fields


class EntryNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntryNote
        fields = ["id", "company", "entry", "communication", "text", "created_by", "created_at"]
        read_only_fields = fields


# --- promises ------------------------------------------------------------------------


class PromiseSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(read_only=True)
    entries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    full_amount = serializers.BooleanField(source="is_full", read_only=True)
    base_currency = serializers.CharField(source="company.base_currency", read_only=True)

    class Meta:
        model = Promise
        fields = [
            "id", "company", "customer", "communication", "entries", "full_amount", "amount",
            "currency", "amount_lcy", "base_currency", "promised_on", "status", "resolved_on",
            "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PromiseCreateSerializer(VisibleRelations, PromiseInputSerializer):
    """A promise to pay the selected entries of one customer in full, or a part, by a date."""

    relations = {"customer": "customer", "communication": "communication"}
    customer = _related("customer")
    entries = _entry_ids(min_length=1)
    communication = _related("communication", required=False, allow_null=True,
                             help_text=gettext_lazy("The communication it was made on, if any."))  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        communication = attrs.get("communication")
        if communication is not None and communication.customer_id != attrs["customer"].pk:
            raise serializers.ValidationError(
                {"communication": _("This communication is with another customer.")}
            )
        return attrs


# --- disputes ------------------------------------------------------------------------


class DisputeSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="entry.currency", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id", "company", "customer", "entry", "amount", "currency", "reason", "owner",
            "opened_on", "ended_on", "is_open", "communication", "created_by", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class DisputeUpdateSerializer(VisibleRelations, serializers.Serializer):
    """Change the disputed amount (zero ends the dispute), the reason or the owner."""

    relations = {"owner": "user"}
    amount = serializers.DecimalField(
        **MONEY, required=False,
        help_text=gettext_lazy("In the entry's currency, up to its remaining amount; 0 ends the dispute."),
    )  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True)
    owner = _related("user", required=False)


class DisputeCreateSerializer(DisputeUpdateSerializer):
    relations = {**DisputeUpdateSerializer.relations, "entry": "entry",
                 "communication": "communication"}  # fmt: skip
    entry = _related("ledger entry")
    amount = serializers.DecimalField(
        **MONEY,
        help_text=gettext_lazy(
            "In the entry's currency, above zero and up to its remaining amount."
        ),
    )
    reason = serializers.CharField(help_text=gettext_lazy("Why the customer disputes the entry."))
    owner = _related("user", required=False, help_text=gettext_lazy("Defaults to you."))
    communication = _related("communication", required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        communication = attrs.get("communication")
        if communication is not None and communication.customer_id != attrs["entry"].customer_id:
            raise serializers.ValidationError(
                {"communication": _("This communication is with another customer.")}
            )
        if attrs["amount"] <= 0:
            raise serializers.ValidationError(
                {"amount": _("A disputed amount must be more than zero.")}
            )
        return attrs


# --- call actions --------------------------------------------------------------------


class CallActionSerializer(serializers.ModelSerializer):
    currency = serializers.SerializerMethodField(
        help_text=gettext_lazy("The currency of ``amount``.")
    )

    class Meta:
        model = CallAction
        fields = [
            "id", "company", "customer", "communication", "entry", "action_type", "response",
            "amount", "currency", "notes", "dispute", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_currency(self, action: CallAction) -> str:
        return action.entry.currency if action.entry_id else action.customer.currency


class CallActionCreateSerializer(VisibleRelations, serializers.Serializer):
    relations = {"communication": "communication", "entry": "entry",
                 "action_type": "action_type", "response": "response"}  # fmt: skip
    communication = _related("communication")
    action_type = _related("action type")
    entry = _related(
        "ledger entry",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("For one entry of the customer; leave out for the customer."),
    )
    response = _related("customer response", required=False, allow_null=True)
    amount = serializers.DecimalField(
        **MONEY, required=False, allow_null=True,
        help_text=gettext_lazy("Needed by partial dispute and credit memo request (entry's currency)."),
    )  # fmt: skip
    notes = serializers.CharField(required=False, allow_blank=True, default="")


# --- to-dos --------------------------------------------------------------------------


class ToDoSerializer(serializers.ModelSerializer):
    entries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ToDo
        fields = [
            "id", "company", "customer", "description", "due_on", "owner", "kind", "status",
            "entries", "communication", "promise", "notes", "closed_at", "closed_by",
            "close_reason", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ToDoUpdateSerializer(VisibleRelations, serializers.Serializer):
    relations = {"owner": "user"}
    description = serializers.CharField(required=False, max_length=300)
    due_on = serializers.DateField(required=False)
    owner = _related("user", required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class ToDoCreateSerializer(ToDoUpdateSerializer):
    relations = {**ToDoUpdateSerializer.relations, "customer": "customer"}
    customer = _related("customer")
    description = serializers.CharField(max_length=300)
    due_on = serializers.DateField()
    owner = _related("user", required=False,
                     help_text=gettext_lazy("Defaults to the customer's controller, else you."))  # fmt: skip
    entries = _entry_ids(required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ToDoCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                   help_text=gettext_lazy('Defaults to "Closed by hand."'))  # fmt: skip


# --- configurable lists and notifications ----------------------------------------------


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "name", "creates_promise", "sort_order", "is_active"]


class StatusCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusCode
        fields = ["id", "code", "description", "is_promised", "is_queried",
                  "owner_defaults_to_user", "sort_order", "is_active"]  # fmt: skip


class ActionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionType
        fields = ["id", "name", "behaviour", "sort_order", "is_active"]


class CustomerResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerResponse
        fields = ["id", "name", "sort_order", "is_active"]


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "company", "customer", "text", "link", "call_action", "created_at",
                  "read_at", "is_read"]  # fmt: skip
        read_only_fields = fields

    def get_is_read(self, note: Notification) -> bool:
        return note.read_at is not None


class EntriesUpdateResultSerializer(serializers.Serializer):
    entries = serializers.ListField(child=serializers.IntegerField())
    statuses = EntryStatusSerializer(many=True)
    promise = PromiseSerializer(allow_null=True)
