"""Follow-up plans and levels, the engine's runs and proposals, the follow-up history,
the documents it produced, and the outbox of emails and letters.

A level is identified by its ``sequence`` in the plan (1, 2, ...), the number the chasing
rules climb one at a time. The ledger entry keeps the last level executed for it
(``LedgerEntry.followup_level`` and ``followup_level_on``, which the sync can import);
``FollowUpAction`` is the customer's history of every action taken.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from communications.models import Communication, LetterStyle, ToDo
from creditcontrol.templatetags.ui import day
from ledger.models import Company, Customer, LedgerEntry

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0.00")
USER = settings.AUTH_USER_MODEL


class FollowUpPlan(models.Model):
    """A company's one follow-up plan: its options; the levels hang off it."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="followup_plan")
    name = models.CharField(max_length=100, default="Standard follow-up")
    min_days_between = models.PositiveSmallIntegerField(
        "minimum days between reminders", default=7, validators=[MaxValueValidator(365)],
        help_text=gettext_lazy("No customer gets a second reminder sooner than this."),
    )  # fmt: skip
    min_amount = models.DecimalField(
        gettext_lazy("minimum amount"), **MONEY, default=ZERO, validators=[MinValueValidator(0)],
        help_text=gettext_lazy("In the company's currency: an entry whose undisputed remaining amount is not "
        "above this is not chased."),
    )  # fmt: skip
    pause_while_promised = models.BooleanField(
        gettext_lazy("pause while a promise is open"), default=True,
        help_text=gettext_lazy("A customer with an open promise to pay gets no reminder."),
    )  # fmt: skip
    run_at = models.TimeField(
        "daily run time", default=dt.time(6, 0),
        help_text=gettext_lazy("The engine runs each day at this time, in the company's time zone."),
    )  # fmt: skip
    pause_on_reply = models.BooleanField(
        gettext_lazy("pause when the customer replies"), default=True,
        help_text=gettext_lazy("A customer whose email reply is not yet marked handled gets no reminder."),
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "follow-up plan"

    def __str__(self) -> str:
        return f"{self.company.code}: {self.name}"


class FollowUpLevel(models.Model):
    """One step of a plan: when it is due (days after the due date) and what it does."""

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="levels")
    sequence = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=100)
    days = models.SmallIntegerField(
        validators=[MinValueValidator(-365), MaxValueValidator(3650)],
        help_text=gettext_lazy("Days after the due date; negative means before it."),
    )  # fmt: skip
    manual_action = models.BooleanField(default=False)
    manual_action_note = models.CharField(
        gettext_lazy("manual action"), max_length=300, blank=True,
        help_text=gettext_lazy("The to-do the customer's controller gets, e.g. 'Telephone the customer'."),
    )  # fmt: skip
    send_email = models.BooleanField("email", default=False)
    email_subject = models.CharField(max_length=200, blank=True)
    email_body = models.TextField(blank=True)
    send_letter = models.BooleanField("letter", default=False)
    letter_style = models.CharField(
        max_length=12, choices=LetterStyle.choices, default=LetterStyle.STANDARD
    )
    letter_text = models.TextField(blank=True)
    note = models.TextField(blank=True)
    execute_automatically = models.BooleanField(
        default=False,
        help_text=gettext_lazy("The worker executes this level itself after each run."),
    )
    attach_invoice_copies = models.BooleanField(
        default=False,
        help_text=gettext_lazy("The email carries the PDF copies of the invoices it lists."),
    )

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="level_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.name}"

    @property
    def channels(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.manual_action, "manual action"),
                (self.send_email, "email"),
                (self.send_letter, "letter"),
            )
            if flag
        ]


class FollowUpLevelText(models.Model):
    """A level's texts in one language; the level's own texts are the fallback."""

    level = models.ForeignKey(FollowUpLevel, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=Company._meta.get_field("language").choices)
    email_subject = models.CharField(max_length=200, blank=True)
    email_body = models.TextField(blank=True)
    letter_text = models.TextField(blank=True)

    class Meta:
        ordering = ["level", "language"]
        constraints = [
            models.UniqueConstraint(fields=["level", "language"], name="level_text_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.level} ({self.language})"


class FollowUpRun(models.Model):
    """One run of the engine for a company and a date, with what it decided."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", gettext_lazy("Daily schedule")
        WEB = "web", gettext_lazy("From the application")
        API = "api", gettext_lazy("From the API")
        COMMAND = "command", gettext_lazy("From the command line")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="followup_runs")
    run_date = models.DateField()
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    entries_chaseable = models.PositiveIntegerField(default=0)
    proposals_created = models.PositiveIntegerField(default=0)
    proposals_refreshed = models.PositiveIntegerField(default=0)
    proposals_withdrawn = models.PositiveIntegerField(default=0)
    proposals_open = models.PositiveIntegerField(default=0)
    # An incremental run restages only the customers whose chasing may have changed
    # (``followups.restage``); blank for a full recomputation, when ``entries_chaseable``
    # counts the whole company's (else the restaged customers').
    customers_restaged = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["company", "-started_at"], name="run_company_idx")]

    def __str__(self) -> str:
        return f"{self.company.code} {day(self.run_date)} ({self.get_status_display()})"


class ProposalStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    POSTPONED = "postponed", gettext_lazy("Postponed")
    EXECUTED = "executed", gettext_lazy("Executed")
    SKIPPED = "skipped", gettext_lazy("Skipped")
    WITHDRAWN = "withdrawn", gettext_lazy("No longer due")


LIVE_PROPOSAL = (ProposalStatus.OPEN, ProposalStatus.POSTPONED)


class Proposal(models.Model):
    """What the engine proposes for one customer: a level and the entries it chases.

    A customer has at most one live (open or postponed) proposal; a later run refreshes
    it. The texts are copied from the level when the proposal is made, so a controller
    can edit them before sending.
    """

    # No index of its own on company: proposal_worklist_idx starts with it (every row the
    # engine inserts pays for each index).
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="proposals", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="proposals")
    level = models.ForeignKey(FollowUpLevel, on_delete=models.PROTECT, related_name="proposals")
    run_date = models.DateField(
        help_text=gettext_lazy("The date of the run that last made or refreshed it.")
    )
    run = models.ForeignKey(
        FollowUpRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default="open")
    postponed_until = models.DateField(null=True, blank=True)
    total_lcy = models.DecimalField(**MONEY, default=ZERO)
    entry_count = models.PositiveIntegerField(default=0)
    # Sums over the lines, set by the engine: an equal digest means unchanged lines.
    lines_digest = models.CharField(max_length=200, blank=True, editable=False)
    email_subject = models.CharField(max_length=200, blank=True)
    email_body = models.TextField(blank=True)
    letter_text = models.TextField(blank=True)
    texts_edited = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-total_lcy", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=LIVE_PROPOSAL),
                name="proposal_one_live_per_customer",
                violation_error_message="This customer already has a live proposal.",
            ),
            models.CheckConstraint(
                condition=Q(postponed_until__isnull=True) | Q(status=ProposalStatus.POSTPONED),
                name="proposal_postponed_until_only_when_postponed",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "-total_lcy"], name="proposal_worklist_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} — {self.level.name}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PROPOSAL


class ProposalEntry(models.Model):
    """An entry a proposal lists; ``level`` is the entry's own next level when it is due."""

    # Lines are derived data that each run brings in step, inserted by the hundred
    # thousand: no database foreign keys (a trigger per line, checked at commit) and no
    # index on proposal alone (the unique (proposal, entry) index serves it). Deleting a
    # proposal or an entry still deletes its lines, through Django's on_delete.
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="lines", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    # No index on entry alone either: nothing looks lines up by entry but the deletion of
    # an entry, which the ledger never does (PROTECTed by its applications; a customer
    # with entries cannot be deleted); a run inserts lines by the hundred thousand.
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.CASCADE, related_name="+", db_constraint=False,
        db_index=False,
    )  # fmt: skip
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    remaining_lcy = models.DecimalField(**MONEY)
    disputed_lcy = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "entry"], name="proposal_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.entry_id}"


class Channel(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    LETTER = "letter", gettext_lazy("Letter")
    MANUAL = "manual", gettext_lazy("Manual action")
    SKIPPED = "skipped", gettext_lazy("Skipped")
    STATEMENT = "statement", gettext_lazy("Statement")
    MASS_EMAIL = "mass_email", gettext_lazy("Mass email")


class FollowUpAction(models.Model):
    """One line of a customer's follow-up history: who did what, when, at which level."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="followup_actions"
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    level = models.ForeignKey(
        FollowUpLevel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level_sequence = models.PositiveSmallIntegerField(null=True, blank=True)
    level_name = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    at = models.DateTimeField(default=timezone.now)
    on = models.DateField(help_text=gettext_lazy("The company's date the action was taken for."))
    by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=gettext_lazy("Empty when the worker executed an automatic level."),
    )  # fmt: skip
    entries = models.ManyToManyField(
        LedgerEntry, through="FollowUpActionEntry", blank=True, related_name="followup_actions"
    )
    total_lcy = models.DecimalField(**MONEY, default=ZERO)
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    todo = models.ForeignKey(
        ToDo, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="fu_action_customer_idx"),
            models.Index(fields=["customer", "channel", "-on"], name="fu_action_reminder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_channel_display()} {day(self.on)}"


class FollowUpActionEntry(models.Model):
    """An entry an action concerned, with the level recorded for it and its amount then."""

    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    remaining_lcy = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "entry"], name="fu_action_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.entry_id}"


class Document(models.Model):
    """A PDF the application produced (statement or letter), kept as it was sent."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", gettext_lazy("Statement")
        LETTER = "letter", gettext_lazy("Reminder letter")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    action = models.ForeignKey(
        FollowUpAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class OutboxMessage(models.Model):
    """An email or letter to send exactly once.

    Written in the same transaction as the action that wants it; a worker claims a
    pending row (``select_for_update(skip_locked=True)``), marks it *sending*, sends it
    and marks it *sent*. A failure goes back to pending with a later ``next_attempt_at``
    until the attempts run out (*failed*). A row left *sending* by a dead worker is moved
    to *review* and never sent again without a person deciding.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", gettext_lazy("Email")
        LETTER = "letter", gettext_lazy("Letter")
        MASS_EMAIL = "mass_email", gettext_lazy("Mass email")

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting to be sent")
        SENDING = "sending", gettext_lazy("Sending")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed")
        REVIEW = "review", gettext_lazy("Needs review")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="outbox")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(
        max_length=120,
        unique=True,
        help_text=gettext_lazy("What this message is for; one message per key."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    to = models.JSONField(default=list, blank=True, help_text=gettext_lazy("Email addresses."))
    cc = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Email addresses copied (contacts marked so)."),
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    attach_statement = models.BooleanField(default=False)
    attach_copies = models.BooleanField(
        default=False, help_text=gettext_lazy("Attach the PDF copies of the entries' invoices.")
    )
    # The Message-ID it went out with, for threading the customer's reply to it.
    message_id = models.CharField(max_length=250, blank=True, db_index=True)
    action = models.ForeignKey(
        FollowUpAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox"
    )
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level = models.ForeignKey(
        FollowUpLevel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entries = models.ManyToManyField(LedgerEntry, blank=True, related_name="+")
    as_of = models.DateField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["company", "status"], name="outbox_company_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.customer} ({self.get_status_display()})"


class MassEmailBatch(models.Model):
    """A mass email too large to queue within the request: the worker works through its
    customers in chunks, and the page (or the API) shows how far it has got."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        SENDING = "sending", gettext_lazy("Queueing the emails")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    batch = models.UUIDField(unique=True)
    created_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    customer_ids = models.JSONField(default=list)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    source = models.CharField(max_length=20, default="web")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    processed = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Customers worked through.")
    )
    queued = models.PositiveIntegerField(default=0)
    already_sent = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Mass email {self.batch} ({self.processed}/{self.total})"

    @property
    def total(self) -> int:
        return len(self.customer_ids)


class EngineState(models.Model):
    """Where the engine left a company: the date of its last run and the plan it decided
    with (``followups.restage``: a later run restages only what changed since)."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    run_date = models.DateField()
    # A digest of what in the plan decides chasing (levels' days, minimum amount and
    # interval, pauses): a change means a full recomputation.
    plan_key = models.CharField(max_length=200)
    full_run_date = models.DateField(help_text="The date of the last full recomputation.")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.run_date}"


class ChaseChange(models.Model):
    """A write since the last run that may change what a customer's proposal would be; the
    next run restages the customer and deletes the mark (``followups.restage``)."""

    # Not unique on purpose: a run deletes the marks it read by id, so a mark written by a
    # transaction that commits during the run is kept for the next one.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.customer_id} changed"


class ChaseWake(models.Model):
    """The first date after the last run on which something of the customer turns by the
    calendar alone (a level falls due, an entry falls due, an exclusion or an expected
    payment date ends, the minimum interval passes): that run restages it."""

    # Derived data written by the hundred thousand on a full run: no database foreign keys
    # (a trigger per row, checked at commit); Django's on_delete still cascades.
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    wake_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["company", "wake_on"], name="chase_wake_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} on {self.wake_on}"
