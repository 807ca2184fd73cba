"""Forms of the follow-up pages. They parse what was typed; the rules live in the services
(``followups.execution``, ``followups.entry_actions``, ``followups.plan_settings``), whose
refusals are shown on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from ledger.models import DebtorRating

from .models import FollowUpLevel, FollowUpPlan, OutboxMessage
from .placeholders import PLACEHOLDERS

PLACEHOLDER_HELP = format_lazy(
    gettext_lazy("Placeholders: {names}."),
    names=" ".join("{" + name + "}" for name in PLACEHOLDERS),
)

EXCLUDE_PERIODS = (
    ("1w", gettext_lazy("for 1 week")),
    ("2w", gettext_lazy("for 2 weeks")),
    ("1m", gettext_lazy("for 1 month")),
    ("2m", gettext_lazy("for 2 months")),
    ("forever", gettext_lazy("forever")),
)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostponeForm(forms.Form):
    until = forms.DateField(label=gettext_lazy("Postpone until"), widget=DATE_INPUT)


class ProposalTextsForm(forms.Form):
    """The proposal's texts; only the channels its level uses are shown."""

    email_subject = forms.CharField(
        label=gettext_lazy("Email subject"), max_length=200, required=False
    )
    email_body = forms.CharField(label=gettext_lazy("Email body"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 20}))  # fmt: skip
    letter_text = forms.CharField(label=gettext_lazy("Letter text"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 20}))  # fmt: skip

    def __init__(self, *args: Any, level: FollowUpLevel, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not level.send_email:
            del self.fields["email_subject"], self.fields["email_body"]
        else:
            self.fields["email_subject"].required = True
            self.fields["email_body"].required = True
        if not level.send_letter:
            del self.fields["letter_text"]
        else:
            self.fields["letter_text"].required = True
            self.fields[
                "letter_text"
            ].help_text = "The table of entries is printed where it appears in the text."


class ExcludeForm(forms.Form):
    entries = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": gettext_lazy("Tick the entries to exclude.")}
    )
    period = forms.ChoiceField(choices=EXCLUDE_PERIODS, initial="2w", label=gettext_lazy("Exclude"))

    def __init__(self, *args: Any, entry_ids: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(pk, pk) for pk in entry_ids]
        self.fields["entries"].error_messages["invalid_choice"] = (
            "That entry is not on this proposal."
        )


class ExpectedDateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Expected payment date"), required=False, widget=DATE_INPUT,
                         help_text=gettext_lazy("Empty clears it."))  # fmt: skip
    note = forms.CharField(
        max_length=500, error_messages={"required": gettext_lazy("Say why the date changed.")},
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Why (goes on the entry's notes)")}),
    )  # fmt: skip


class RatingForm(forms.Form):
    rating = forms.ChoiceField(choices=DebtorRating.choices, label=gettext_lazy("Debtor rating"))


class PlanForm(forms.ModelForm):
    class Meta:
        model = FollowUpPlan
        fields = ["name", "min_days_between", "min_amount", "pause_while_promised",
                  "pause_on_reply", "run_at"]  # fmt: skip
        widgets = {"run_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        labels = {
            "name": gettext_lazy("Name"),
            "min_days_between": gettext_lazy("Minimum days between reminders"),
            "run_at": gettext_lazy("Daily run time"),
        }


class LevelForm(forms.ModelForm):
    class Meta:
        model = FollowUpLevel
        fields = [
            "name", "days", "note", "manual_action", "manual_action_note", "send_email",
            "email_subject", "email_body", "send_letter", "letter_style", "letter_text",
            "execute_automatically", "attach_invoice_copies",
        ]  # fmt: skip
        widgets = {
            "email_body": forms.Textarea(attrs={"rows": 10}),
            "letter_text": forms.Textarea(attrs={"rows": 10}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "name": gettext_lazy("Name"),
            "days": gettext_lazy("Days"),
            "manual_action": gettext_lazy("Manual action (a to-do for the customer's controller)"),
            "manual_action_note": gettext_lazy("What to do"),
            "send_email": gettext_lazy("Send an email (the statement attached)"),
            "email_subject": gettext_lazy("Email subject"),
            "email_body": gettext_lazy("Email body"),
            "send_letter": gettext_lazy("Print a letter"),
            "letter_style": gettext_lazy("Letter style"),
            "letter_text": gettext_lazy("Letter text"),
            "note": gettext_lazy("Note"),
            "execute_automatically": gettext_lazy("Execute automatically"),
            "attach_invoice_copies": gettext_lazy("Attach invoice copies"),
        }
        help_texts = {
            "email_subject": PLACEHOLDER_HELP,
            "email_body": format_lazy(
                "{} {}", PLACEHOLDER_HELP, gettext_lazy("{entries} is a table of the entries.")
            ),
            "letter_text": format_lazy(
                "{} {}", PLACEHOLDER_HELP, gettext_lazy("{entries} is printed as a table.")
            ),
            "note": gettext_lazy("For the managers: why this level exists."),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = (
            "Days after the due date; negative means before it (-5: five days before). "
            "Levels fall due in order, so the days must not decrease from one level to the next."
        )
        self.fields[
            "execute_automatically"
        ].help_text = (
            "The worker executes this level itself after each daily run; nobody reviews it."
        )


OUTBOX_SHOW = (
    ("attention", "Needs attention"),
    (OutboxMessage.Status.PENDING, "Waiting"),
    (OutboxMessage.Status.SENDING, "Sending"),
    (OutboxMessage.Status.SENT, "Sent"),
    (OutboxMessage.Status.CANCELLED, "Cancelled"),
    ("all", "All"),
)
