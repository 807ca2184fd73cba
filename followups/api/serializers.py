"""API representations of the follow-ups. Money is a decimal string with its currency beside
it (the follow-up amounts are in the company's base currency); datetimes carry their offset.
Reads and writes have separate serializers: a write names only what a client may send, and
the service it goes to decides the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communications.api.serializers import MAX_ID
from ledger.models import Company, LedgerEntry

from ..engine import MAX_DAYS_BACK
from ..models import (
    FollowUpAction,
    FollowUpActionEntry,
    FollowUpLevel,
    FollowUpPlan,
    FollowUpRun,
    OutboxMessage,
    Proposal,
    ProposalEntry,
    ProposalStatus,
)

MAX_IDS = 500
PERIODS = (
    ("forever", "Forever"),
    ("1w", "One week"),
    ("2w", "Two weeks"),
    ("1m", "One month"),
    ("2m", "Two months"),
)


def visible_companies(user: Any):
    return Company.objects.visible_to(user)


def reference(what: str, **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """A reference by id whose refusals say what was not found, in words."""
    return serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.none(),  # set per request by Visible
        error_messages={
            "does_not_exist": format_lazy(
                gettext_lazy("No {what} with id {{pk_value}} is visible to you."), what=what
            ),
            "incorrect_type": format_lazy(
                gettext_lazy("Give the {what}'s id (a number), not {{data_type}}."), what=what
            ),
            "required": format_lazy(gettext_lazy("Give the {what}'s id."), what=what),
            "null": format_lazy(gettext_lazy("Give the {what}'s id."), what=what),
        },
        **kwargs,
    )


def id_list(what: str, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(
            min_value=1, max_value=MAX_ID,
            error_messages={
                "invalid": format_lazy(gettext_lazy("{what} ids are numbers."),
                                       what=what.capitalize()),
                "min_value": format_lazy(gettext_lazy("{what} ids are positive numbers."),
                                         what=what.capitalize()),
                "max_value": format_lazy(gettext_lazy("No {what} has so large an id."),
                                         what=what)},
        ),
        min_length=1, max_length=MAX_IDS,
        error_messages={
            "min_length": format_lazy(gettext_lazy("Give at least one {what} id."), what=what),
            "max_length": format_lazy(gettext_lazy("At most {count} {what} ids at a time."),
                                      count=MAX_IDS, what=what),
            "not_a_list": format_lazy(gettext_lazy("Give a list of {what} ids."), what=what)},
        **kwargs,
    )  # fmt: skip


class Visible:
    """Look references up only among what the requester may see (``lookups``: field -> fn)."""

    lookups: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, lookup in self.lookups.items():
            field = self.fields.get(name)
            if field is not None and not field.read_only and user is not None:
                field.queryset = lookup(user)


def state(choices: Any, component: str, help_text: str = "") -> serializers.ChoiceField:
    """A read-only status field whose choices get their own schema component: many resources
    have a ``status`` with different choices, and their enums must not collide."""

    @extend_schema_field({"type": "string", "enum": [value for value, _ in choices]},
                         component_name=component)  # fmt: skip
    class StateField(serializers.ChoiceField):
        pass

    return StateField(choices=choices, read_only=True, help_text=help_text)


def who_name(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


# --- plans and levels ---------------------------------------------------------------------

LEVEL_WRITABLE = [
    "name", "days", "manual_action", "manual_action_note", "send_email", "email_subject",
    "email_body", "send_letter", "letter_style", "letter_text", "note", "execute_automatically",
    "attach_invoice_copies",
]  # fmt: skip


class LevelSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(source="plan.company_id", read_only=True)
    channels = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text=gettext_lazy("What executing it does: manual action, email, letter."),
    )  # fmt: skip

    class Meta:
        model = FollowUpLevel
        fields = ["id", "plan", "company", "sequence", *LEVEL_WRITABLE, "channels"]
        read_only_fields = fields


class LevelUpdateSerializer(serializers.ModelSerializer):
    """Change a level; ``sequence`` moves it (the levels between move one place)."""

    sequence = serializers.IntegerField(
        required=False, min_value=1, max_value=1000,
        help_text=gettext_lazy("Its place in the plan, 1..n; days may not decrease along the sequence."),
    )  # fmt: skip

    class Meta:
        model = FollowUpLevel
        fields = ["sequence", *LEVEL_WRITABLE]
        extra_kwargs = {name: {"required": False} for name in LEVEL_WRITABLE}


class LevelCreateSerializer(Visible, LevelUpdateSerializer):
    """A new level in a plan, at the end unless ``sequence`` says where (later ones move up)."""

    lookups = {"plan": lambda user: FollowUpPlan.objects.filter(
        company__in=visible_companies(user))}  # fmt: skip
    plan = reference("follow-up plan")

    class Meta(LevelUpdateSerializer.Meta):
        fields = ["plan", "sequence", *LEVEL_WRITABLE]
        validators = []  # the service places the level and renumbers the others
        extra_kwargs = {
            name: {"required": False} for name in LEVEL_WRITABLE if name not in ("name", "days")
        }


class PlanSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(
        source="company.base_currency",
        read_only=True,
        help_text=gettext_lazy("The currency of min_amount."),
    )
    levels = LevelSerializer(
        many=True, read_only=True, help_text=gettext_lazy("In sequence order.")
    )

    class Meta:
        model = FollowUpPlan
        fields = ["id", "company", "name", "min_days_between", "min_amount", "currency",
                  "pause_while_promised", "pause_on_reply", "run_at", "updated_at",
                  "levels"]  # fmt: skip
        read_only_fields = fields


class PlanUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpPlan
        fields = ["name", "min_days_between", "min_amount", "pause_while_promised",
                  "pause_on_reply", "run_at"]  # fmt: skip
        extra_kwargs = {name: {"required": False} for name in fields}


# --- runs ------------------------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    status = state(FollowUpRun.Status.choices, "FollowUpRunStatus")
    started_by_name = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpRun
        fields = [
            "id", "company", "run_date", "trigger", "status", "started_by", "started_by_name",
            "started_at", "finished_at", "duration_ms", "entries_chaseable",
            "customers_restaged", "proposals_created", "proposals_refreshed", "proposals_withdrawn", "proposals_open",
            "error",
        ]  # fmt: skip
        read_only_fields = fields

    def get_started_by_name(self, run: FollowUpRun) -> str | None:
        return who_name(run.started_by)


class RunStartSerializer(Visible, serializers.Serializer):
    lookups = {"company": visible_companies}
    company = reference("company")
    date = serializers.DateField(
        required=False, allow_null=True,
        help_text=gettext_lazy("The day to run for (the company's today when left out); not in the future."),
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        day, company = attrs.get("date"), attrs["company"]
        if day is not None and day > company.today():
            raise serializers.ValidationError(
                {"date": _('%(day_isoformat)s is in the future for %(company_code)s: the engine runs for today (%(company_today_isoformat)s) or an earlier day.') % {'day_isoformat': day.isoformat(), 'company_code': company.code, 'company_today_isoformat': company.today().isoformat()}}
            )  # fmt: skip
        if day is not None and day < company.today() - dt.timedelta(days=MAX_DAYS_BACK):
            raise serializers.ValidationError(
                {
                    "date": _("A run can go back at most %(MAX_DAYS_BACK)s days from today.")
                    % {"MAX_DAYS_BACK": MAX_DAYS_BACK}
                }
            )
        return attrs


# --- proposals -------------------------------------------------------------------------------


class ProposalLineSerializer(serializers.ModelSerializer):
    document_no = serializers.CharField(source="entry.document_no", read_only=True)
    entry_type = serializers.CharField(source="entry.entry_type", read_only=True)
    due_date = serializers.DateField(source="entry.due_date", read_only=True)
    level = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text=gettext_lazy("The entry's own next level, recorded on it when executed; null when the "
        "entry is listed only because it is overdue."),
    )  # fmt: skip

    class Meta:
        model = ProposalEntry
        fields = ["entry", "document_no", "entry_type", "due_date", "level", "remaining_lcy",
                  "disputed_lcy"]  # fmt: skip
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    status = state(ProposalStatus.choices, "ProposalStatus",
                   "open, postponed (until postponed_until), executed, skipped, or withdrawn "
                   "(no longer due).")  # fmt: skip
    customer_account_code = serializers.CharField(source="customer.account_code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    level_sequence = serializers.IntegerField(source="level.sequence", read_only=True)
    level_name = serializers.CharField(source="level.name", read_only=True)
    channels = serializers.ListField(source="level.channels", child=serializers.CharField(),
                                     read_only=True)  # fmt: skip
    base_currency = serializers.CharField(source="company.base_currency", read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id", "company", "customer", "customer_account_code", "customer_name", "level",
            "level_sequence", "level_name", "channels", "status", "run_date", "run",
            "postponed_until", "total_lcy", "base_currency", "entry_count", "texts_edited",
            "created_at", "updated_at", "closed_at", "closed_by",
        ]  # fmt: skip
        read_only_fields = fields


class ProposalDetailSerializer(ProposalSerializer):
    lines = ProposalLineSerializer(
        many=True, read_only=True, help_text=gettext_lazy("The entries it chases.")
    )

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "email_subject", "email_body", "letter_text",
                  "lines"]  # fmt: skip
        read_only_fields = fields


class ProposalTextsSerializer(serializers.Serializer):
    """The proposal's own texts (copied from its level; placeholders are filled when sent)."""

    email_subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email_body = serializers.CharField(required=False, allow_blank=True)
    letter_text = serializers.CharField(required=False, allow_blank=True)


class ProposalSkipSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                 help_text=gettext_lazy("Why it is skipped; kept in the history."))  # fmt: skip


class ProposalPostponeSerializer(serializers.Serializer):
    until = serializers.DateField(
        help_text=gettext_lazy("Hidden from the work list until this day.")
    )


class ProposalsExecuteSerializer(serializers.Serializer):
    ids = id_list("proposal")


class ProposalOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=[("executed", gettext_lazy("Executed")), ("refused", gettext_lazy("Refused"))]
    )
    message = serializers.CharField(allow_blank=True)
    action = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The history line it wrote.")
    )


class ProposalsExecutedSerializer(serializers.Serializer):
    executed = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = ProposalOutcomeSerializer(
        many=True, help_text=gettext_lazy("One per id, in the order given.")
    )


# --- history ---------------------------------------------------------------------------------


class ActionLineSerializer(serializers.ModelSerializer):
    document_no = serializers.CharField(source="entry.document_no", read_only=True)

    class Meta:
        model = FollowUpActionEntry
        fields = ["entry", "document_no", "level", "remaining_lcy"]
        read_only_fields = fields


class DocumentLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    filename = serializers.CharField()
    url = serializers.SerializerMethodField(help_text=gettext_lazy("Download (PDF), signed in."))

    def get_url(self, document) -> str:
        path = reverse("followups:document", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ActionSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField(help_text=gettext_lazy("Empty for the worker."))
    base_currency = serializers.CharField(source="company.base_currency", read_only=True)
    entries = ActionLineSerializer(source="lines", many=True, read_only=True)
    documents = DocumentLinkSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUpAction
        fields = [
            "id", "company", "customer", "proposal", "level", "level_sequence", "level_name",
            "channel", "at", "on", "by", "by_name", "total_lcy", "base_currency", "entries",
            "documents", "communication", "todo", "note",
        ]  # fmt: skip
        read_only_fields = fields

    def get_by_name(self, action: FollowUpAction) -> str | None:
        return who_name(action.by)


class ProposalActedSerializer(serializers.Serializer):
    proposal = ProposalDetailSerializer()
    action = ActionSerializer()


# --- exclusions and expected dates ------------------------------------------------------------


class ExclusionSerializer(serializers.ModelSerializer):
    entry = serializers.IntegerField(source="id", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["entry", "company", "customer", "document_no", "entry_type", "due_date",
                  "remaining", "currency", "exclude_forever", "exclude_until"]  # fmt: skip
        read_only_fields = fields


class ExclusionCreateSerializer(serializers.Serializer):
    entries = id_list("entry")
    period = serializers.ChoiceField(
        choices=PERIODS,
        help_text=gettext_lazy("Forever, or from the company's today for 1w, 2w, 1m, 2m."),
    )


class ExclusionIncludeSerializer(serializers.Serializer):
    entries = id_list("entry")


class ExpectedDateSerializer(Visible, serializers.Serializer):
    lookups = {"entry": lambda user: LedgerEntry.objects.visible_to(user)}
    entry = reference("ledger entry")
    date = serializers.DateField(allow_null=True,
                                 help_text=gettext_lazy("The day the customer expects to pay; null clears it."))  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 help_text=gettext_lazy("Kept as a note on the entry."))  # fmt: skip


class ExpectedDateResultSerializer(serializers.Serializer):
    entry = serializers.IntegerField(source="id")
    document_no = serializers.CharField()
    expected_payment_date = serializers.DateField(allow_null=True)


# --- outbox ----------------------------------------------------------------------------------


class OutboxMessageSerializer(serializers.ModelSerializer):
    status = state(OutboxMessage.Status.choices, "OutboxMessageStatus")
    entries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id", "company", "customer", "kind", "key", "status", "to", "subject", "body",
            "attach_statement", "action", "communication", "level", "entries", "as_of",
            "attempts", "next_attempt_at", "claimed_at", "claimed_by", "sent_at", "last_error",
            "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
