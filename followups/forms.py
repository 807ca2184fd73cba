"""Forms of the follow-up pages. They parse what was typed; the rules live in the services
(``followups.execution``, ``followups.entry_actions``, ``followups.plan_settings``), whose
refusals are shown on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from ledger.models import DebtorRating

from .models import FollowUpLevel, FollowUpPlan, OutboxMessage
from .placeholders import PLACEHOLDERS

PLACEHOLDER_HELP = "Placeholders: " + " ".join("{" + name + "}" for name in PLACEHOLDERS) + "."

EXCLUDE_PERIODS = (
    ("1w", "for 1 week"),
    ("2w", "for 2 weeks"),
    ("1m", "for 1 month"),
    ("2m", "for 2 months"),
    ("forever", "forever"),
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
        coerce=int, error_messages={"required": "Tick the entries to exclude."}
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
        max_length=500, error_messages={"required": "Say why the date changed."},
        widget=forms.TextInput(attrs={"placeholder": "Why (goes on the entry's notes)"}),
    )  # fmt: skip


class RatingForm(forms.Form):
    rating = forms.ChoiceField(choices=DebtorRating.choices, label=gettext_lazy("Debtor rating"))


class PlanForm(forms.ModelForm):
    class Meta:
        model = FollowUpPlan
        fields = ["name", "min_days_between", "min_amount", "pause_while_promised",
                  "pause_on_reply", "run_at"]  # fmt: skip
        widgets = {"run_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


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
            "manual_action": "Manual action (a to-do for the customer's controller)",
            "manual_action_note": "What to do",
            "send_email": "Send an email (the statement attached)",
            "send_letter": "Print a letter",
            "note": "Note",
            "execute_automatically": "Execute automatically",
        }
        help_texts = {
            "email_subject": PLACEHOLDER_HELP,
            "email_body": PLACEHOLDER_HELP + " {entries} is a table of the entries.",
            "letter_text": PLACEHOLDER_HELP + " {entries} is printed as a table.",
            "note": "For the managers: why this level exists.",
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
