"""Forms of the communication pages. They only parse what was typed; the rules live in
the services (``communications.services``), whose refusals are shown on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.dates import format_day
from creditcontrol.form_tokens import FormTokenField
from ledger.models import DEBIT_TYPES, Customer, LedgerEntry

from .models import (
    LETTER_CONTACT_TYPES,
    ActionType,
    Communication,
    CommunicationType,
    ContactType,
    CustomerResponse,
    LetterStyle,
    Outcome,
)
from .services import PromiseInput
from .todos import workers_of

# Service error keys that name a field of a different name on the form.
FIELD_ALIASES = {"amount": "promise_amount", "entries": None}


def show_service_errors(form: forms.Form, error: ValidationError,
                        aliases: dict[str, str | None] | None = None) -> None:  # fmt: skip
    """Put a service's refusal on the fields it names (the rest above the form)."""
    aliases = FIELD_ALIASES if aliases is None else aliases
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = aliases.get(name, name)
        if field not in form.fields:
            field = None
        form.add_error(field, messages)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class OutcomeSelect(forms.Select):
    """Options carry ``data-creates-promise`` so the page can ask for the promise."""

    def __init__(self, *args: Any, promise_ids: set[int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.promise_ids = promise_ids or set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = getattr(value, "value", value)
        if pk not in ("", None) and int(pk) in self.promise_ids:
            option["attrs"]["data-creates-promise"] = "true"
        return option


class BehaviourSelect(forms.Select):
    """Action-type options carry ``data-behaviour`` so the page can explain each one."""

    def __init__(self, *args: Any, behaviours: dict[int, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.behaviours = behaviours or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = getattr(value, "value", value)
        if pk not in ("", None):
            option["attrs"]["data-behaviour"] = self.behaviours.get(int(pk), "")
        return option


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LedgerEntry) -> str:
        return _("%(kind)s %(number)s · due %(day)s · %(amount)s %(currency)s open") % {
            "kind": obj.get_entry_type_display(), "number": obj.document_no,
            "day": format_day(obj.due_date), "amount": f"{obj.remaining:,.2f}",
            "currency": obj.currency,
        }  # fmt: skip


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CommunicationForm(forms.Form):
    # Against a double submit or Back-then-Save (creditcontrol.form_tokens); optional so
    # that a post without one (a script) is still taken.
    form_token = FormTokenField(required=False)

    """New and amended communications. Render and validate it inside
    ``timezone.override(company.tz)``: the date and time are typed in the company's zone."""

    communication_type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=CommunicationType.choices
    )
    contact_type = forms.ChoiceField(
        label=gettext_lazy("Contact type"), choices=ContactType.choices
    )
    letter_style = forms.ChoiceField(
        label=gettext_lazy("Letter style"),
        choices=[("", "—"), *LetterStyle.choices],
        required=False,
        help_text=gettext_lazy("Letters only."),
    )
    location = forms.CharField(
        label=gettext_lazy("Location"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Meetings only."),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"), widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )  # fmt: skip
    our_contact = PersonChoiceField(queryset=None, label=gettext_lazy("Our contact"))
    contact = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("Contact person"),
        empty_label=gettext_lazy("— someone else (type the name below) —"),
    )  # fmt: skip
    contact_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Name"))
    contact_phone = forms.CharField(max_length=40, required=False, label=gettext_lazy("Phone"))
    contact_email = forms.EmailField(required=False, label=gettext_lazy("Email"))
    outcome = forms.ModelChoiceField(
        label=gettext_lazy("Outcome"), queryset=None, required=False, empty_label="—"
    )
    promise_full = forms.BooleanField(required=False, label=gettext_lazy("Full amount"))
    promise_amount = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2, label=gettext_lazy("Promised amount")
    )
    promised_on = forms.DateField(
        required=False,
        label=gettext_lazy("Promised date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    follow_up_on = forms.DateField(
        required=False,
        label=gettext_lazy("Follow-up date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    follow_up_time = forms.TimeField(
        required=False, label=gettext_lazy("Follow-up time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )  # fmt: skip
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    entries = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Entries"), coerce=int, required=False
    )
    complete = forms.BooleanField(
        required=False, label=gettext_lazy("Mark this communication as complete")
    )

    def __init__(self, *args: Any, customer: Customer, user: Any,
                 communication: Communication | None = None, entry_ids=(), **kwargs: Any):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.customer, self.communication = customer, communication
        current = communication.our_contact if communication else None
        self.fields["our_contact"].queryset = workers_of(customer.company, also=current)
        self.fields["contact"].queryset = customer.contacts.all()
        outcomes = Outcome.objects.filter(is_active=True)
        if communication is not None and communication.outcome_id:
            outcomes = Outcome.objects.filter(Q(is_active=True) | Q(pk=communication.outcome_id))
        self.fields["outcome"].widget = OutcomeSelect(
            promise_ids=set(outcomes.filter(creates_promise=True).values_list("pk", flat=True))
        )
        self.fields["outcome"].queryset = outcomes  # after the widget: it gets the choices
        self.fields["entries"].choices = [(i, i) for i in entry_ids]
        if communication is None:
            del self.fields["complete"]
        else:
            del self.fields["entries"]

    @property
    def is_amend(self) -> bool:
        return self.communication is not None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, contact_type = data.get("communication_type"), data.get("contact_type")
        if data.get("letter_style") and contact_type and contact_type not in LETTER_CONTACT_TYPES:
            self.add_error("letter_style", _("A letter style applies to letters only."))
        if data.get("location") and kind and kind != CommunicationType.MEETING:
            self.add_error("location", _("A location applies to meetings only."))
        if data.get("contact") and data.get("contact_name"):
            self.add_error(
                "contact_name",
                _("Choose one of the customer's contacts or type a new name, not both."),
            )
        if (data.get("contact_phone") or data.get("contact_email")) and not (
            data.get("contact_name")
        ):
            self.add_error(
                "contact_name", _("Give the name of the person these details belong to.")
            )
        if data.get("follow_up_time") and not data.get("follow_up_on"):
            self.add_error("follow_up_on", _("A follow-up time needs a follow-up date."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values the communication services take."""
        d = self.cleaned_data
        names = ("communication_type", "subject", "occurred_at", "our_contact", "contact_type",
                 "letter_style", "location", "contact", "contact_name", "contact_phone",
                 "contact_email", "outcome", "follow_up_on", "follow_up_time", "notes")  # fmt: skip
        return {name: d[name] for name in names}

    def promise_input(self) -> PromiseInput | None:
        d = self.cleaned_data
        if not (d.get("outcome") and d["outcome"].creates_promise):
            return None
        full = bool(d.get("promise_full"))
        return PromiseInput(
            promised_on=d.get("promised_on"), amount=None if full else d.get("promise_amount"),
            is_full=full,
        )  # fmt: skip


class CallActionForm(forms.Form):
    form_token = FormTokenField(required=False)

    """A call action on a communication: for the customer, or for one of its entries."""

    action_type = forms.ModelChoiceField(
        label=gettext_lazy("Action type"), queryset=None, empty_label=gettext_lazy("— choose —")
    )
    entry = EntryChoiceField(
        label=gettext_lazy("Entry"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("The customer"),
    )
    response = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("Customer response"), empty_label="—"
    )
    amount = forms.DecimalField(label=gettext_lazy("Amount"), 
        required=False, max_digits=14, decimal_places=2,
        help_text=gettext_lazy("Needed for a partial dispute or a credit memo request, in the entry's currency."),
    )  # fmt: skip
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, communication: Communication, **kwargs: Any):
        super().__init__(*args, **kwargs)
        types = ActionType.objects.filter(is_active=True)
        self.fields["action_type"].widget = BehaviourSelect(
            behaviours=dict(types.values_list("pk", "behaviour"))
        )
        self.fields["action_type"].queryset = types
        self.fields["response"].queryset = CustomerResponse.objects.filter(is_active=True)
        # The communication's own entries first, then open invoices, then open credits.
        own = Q(pk__in=communication.entries.values("pk"))
        rank = Case(When(own, then=0), When(entry_type__in=DEBIT_TYPES, then=1), default=2,
                    output_field=IntegerField())  # fmt: skip
        self.fields["entry"].queryset = (
            LedgerEntry.objects.filter(own | (Q(customer_id=communication.customer_id)
                                              & ~Q(remaining=0)))
            .alias(rank=rank)
            .order_by("rank", "due_date", "id")
        )  # fmt: skip
