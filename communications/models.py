"""The controller's workbench: communications, call actions, status codes, disputes,
promises, to-dos and in-app notifications.

Decision: the configurable lists (outcomes, status codes, action types, customer
responses) are installation-wide, like Sage 200's, not per company: one finance
team shares one vocabulary, and the defaults can then come from a data migration.
Because every company's records use them, only administrators change them (a manager of
one company must not retire what another company's communications use).
Everything that concerns a customer carries its ``company`` so that every list
starts from ``visible_to(user)``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ledger.models import MONEY, Company, Contact, Customer, LedgerEntry

from .querysets import (
    CommunicationQuerySet,
    DisputeQuerySet,
    NotificationQuerySet,
    PromiseQuerySet,
    ToDoQuerySet,
    VisibleQuerySet,
)

USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0.00")


class ConfigurableItem(models.Model):
    """A row of a manager-configured list: a name, an order, and retirement instead of deletion."""

    name = models.CharField(max_length=80, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(
        gettext_lazy("active"),
        default=True,
        help_text=gettext_lazy("Retired items stay on old records but are not offered."),
    )

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Outcome(ConfigurableItem):
    """How a communication ended (left a message, payment promised, ...)."""

    creates_promise = models.BooleanField(
        default=False, help_text=gettext_lazy("Choosing it asks for the promised amount and date.")
    )


class StatusCode(models.Model):
    """A code put on ledger entries to track them; *promised* and *queried* codes ask for more."""

    code = models.CharField(max_length=12, unique=True)
    description = models.CharField(max_length=80)
    is_promised = models.BooleanField(
        gettext_lazy("promised"),
        default=False,
        help_text=gettext_lazy("Entries with this code carry a promise to pay."),
    )
    is_queried = models.BooleanField(
        gettext_lazy("queried"),
        default=False,
        help_text=gettext_lazy("Entries with this code carry a query to resolve."),
    )
    owner_defaults_to_user = models.BooleanField(
        gettext_lazy("resolution owner defaults to me"),
        default=False,
        help_text=gettext_lazy(
            "For queried codes: the resolution owner defaults to the user setting the code."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(gettext_lazy("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(is_promised=True) & Q(is_queried=True)),
                name="status_code_promised_or_queried",
                violation_error_message=gettext_lazy(
                    "A status code is promised or queried, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ActionType(ConfigurableItem):
    """A kind of call action; ``behaviour`` says what recording it does beyond being kept."""

    class Behaviour(models.TextChoices):
        RECORD = "record", gettext_lazy("Recorded only")
        ALERT = "alert", gettext_lazy("Alert the customer's managers")
        EXCLUDE = "exclude", gettext_lazy("Exclude the customer from follow-ups")
        DISPUTE = "dispute", gettext_lazy("Create or update a dispute on the entry")
        CREDIT_MEMO = "credit_memo", gettext_lazy("Request a credit memo")

    behaviour = models.CharField(max_length=12, choices=Behaviour.choices, default=Behaviour.RECORD)


class CustomerResponse(ConfigurableItem):
    """What the customer said to a call action (agreed to pay, disputes, no answer, ...)."""


class CommunicationType(models.TextChoices):
    TELEPHONE = "telephone", gettext_lazy("Telephone")
    CORRESPONDENCE = "correspondence", gettext_lazy("Email/fax/letter")
    MEETING = "meeting", gettext_lazy("Meeting")


class ContactType(models.TextChoices):
    TELEPHONE_MADE = "telephone_made", gettext_lazy("Telephone made")
    TELEPHONE_RECEIVED = "telephone_received", gettext_lazy("Telephone received")
    LETTER_SENT = "letter_sent", gettext_lazy("Letter sent")
    LETTER_RECEIVED = "letter_received", gettext_lazy("Letter received")
    EMAIL_SENT = "email_sent", gettext_lazy("Email sent")
    EMAIL_RECEIVED = "email_received", gettext_lazy("Email received")
    MEETING = "meeting", gettext_lazy("Meeting")
    PORTAL = "portal", gettext_lazy("Self-service page")


# Which contact types each communication type offers.
CONTACT_TYPES_BY_TYPE: dict[str, tuple[str, ...]] = {
    CommunicationType.TELEPHONE: (ContactType.TELEPHONE_MADE, ContactType.TELEPHONE_RECEIVED),
    CommunicationType.CORRESPONDENCE: (
        ContactType.LETTER_SENT, ContactType.LETTER_RECEIVED,
        ContactType.EMAIL_SENT, ContactType.EMAIL_RECEIVED, ContactType.PORTAL,
    ),
    CommunicationType.MEETING: (ContactType.MEETING,),
}  # fmt: skip
LETTER_CONTACT_TYPES = (ContactType.LETTER_SENT, ContactType.LETTER_RECEIVED)


class LetterStyle(models.TextChoices):
    STANDARD = "standard", gettext_lazy("Standard")
    FRIENDLY = "friendly", gettext_lazy("Friendly reminder")
    FIRM = "firm", gettext_lazy("Firm")
    FINAL = "final", gettext_lazy("Final demand")


class Communication(models.Model):
    """Any contact with a customer; live until completed. Its balance is the one at recording."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="communications")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="communications")
    communication_type = models.CharField(
        gettext_lazy("type"), max_length=16, choices=CommunicationType.choices
    )
    subject = models.CharField(max_length=200)
    occurred_at = models.DateTimeField(gettext_lazy("date and time"), default=timezone.now)
    our_contact = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("our contact")
    )
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    letter_style = models.CharField(max_length=12, choices=LetterStyle.choices, blank=True)
    location = models.CharField(max_length=200, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="communications",
        verbose_name=gettext_lazy("contact person"),
    )  # fmt: skip
    # A person who is not (yet) one of the customer's contacts.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, null=True, blank=True)
    follow_up_on = models.DateField(gettext_lazy("follow-up date"), null=True, blank=True)
    follow_up_time = models.TimeField(gettext_lazy("follow-up time"), null=True, blank=True)
    notes = models.TextField(blank=True)
    # The customer's balance in the company's currency when this was recorded: kept.
    balance_lcy = models.DecimalField(gettext_lazy("balance when recorded"), **MONEY)
    entries = models.ManyToManyField(LedgerEntry, blank=True, related_name="communications")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, default="web")
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(letter_style="") | Q(contact_type__in=LETTER_CONTACT_TYPES),
                name="communication_letter_style_only_for_letters",
                violation_error_message=gettext_lazy("A letter style applies to letters only."),
            ),
            models.CheckConstraint(
                condition=Q(location="") | Q(communication_type=CommunicationType.MEETING),
                name="communication_location_only_for_meetings",
                violation_error_message=gettext_lazy("A location applies to meetings only."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_time__isnull=True) | Q(follow_up_on__isnull=False),
                name="communication_follow_up_time_needs_date",
                violation_error_message=gettext_lazy("A follow-up time needs a follow-up date."),
            ),
        ]
        indexes = [
            # Live communications per customer: the derived Follow-up and the Chase Debt report.
            models.Index(
                fields=["customer", "follow_up_on"],
                condition=Q(completed_at__isnull=True),
                name="communication_live_idx",
            ),
            models.Index(fields=["customer", "-occurred_at"], name="communication_customer_idx"),
            models.Index(fields=["our_contact", "-occurred_at"], name="communication_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.subject}"

    @property
    def is_live(self) -> bool:
        return self.completed_at is None

    @property
    def contact_display(self) -> str:
        return self.contact.full_name if self.contact_id else self.contact_name


class Dispute(models.Model):
    """An amount of one entry that the customer disputes; ended by amount zero or deletion."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="disputes")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="disputes")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="disputes")
    amount = models.DecimalField(
        **MONEY, help_text=gettext_lazy("In the entry's currency; zero once ended.")
    )
    reason = models.TextField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes"
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(ended_on__isnull=True),
                name="dispute_one_open_per_entry",
                violation_error_message=gettext_lazy(
                    "This entry already has an open dispute; change its amount."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(amount__gt=0))
                | (Q(ended_on__isnull=False) & Q(amount=0)),
                name="dispute_open_amount_positive",
                violation_error_message=gettext_lazy(
                    "An open dispute has an amount above zero; an ended one zero."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "opened_on"],
                condition=Q(ended_on__isnull=True),
                name="dispute_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute on {self.entry}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class PromiseStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    KEPT = "kept", gettext_lazy("Kept")
    BROKEN = "broken", gettext_lazy("Broken")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


class Promise(models.Model):
    """A promise to pay all or part of one or more entries (in one currency) by a date."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="promises")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="promises")
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="promises"
    )
    entries = models.ManyToManyField(LedgerEntry, through="PromiseEntry", related_name="promises")
    is_full = models.BooleanField(gettext_lazy("full amount"), default=False)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    amount_lcy = models.DecimalField(**MONEY)
    promised_on = models.DateField(gettext_lazy("promised date"))
    status = models.CharField(max_length=10, choices=PromiseStatus.choices, default="open")
    resolved_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["promised_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="promise_amount_positive",
                violation_error_message=gettext_lazy("A promised amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_on__isnull=True)
                | (~Q(status="open") & Q(resolved_on__isnull=False)),
                name="promise_resolved_when_closed",
                violation_error_message=gettext_lazy(
                    "A kept, broken or cancelled promise has a resolution date."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "promised_on"],
                condition=Q(status="open"),
                name="promise_open_idx",
            ),
            models.Index(fields=["customer", "promised_on"], name="promise_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"Promise of {self.amount} {self.currency} by {self.promised_on:%Y-%m-%d}"


class PromiseEntry(models.Model):
    """An entry a promise covers, with its remaining amount when the promise was made."""

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="promise_lines")
    remaining_at_promise = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["promise", "entry"], name="promise_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.promise_id}: {self.entry_id}"


class EntryStatus(models.Model):
    """The status code of one ledger entry and its open query; keyed by the entry itself."""

    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    status_code = models.ForeignKey(StatusCode, on_delete=models.PROTECT, null=True, blank=True)
    query_target_on = models.DateField(
        gettext_lazy("resolution target date"), null=True, blank=True
    )
    query_owner = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=gettext_lazy("resolution owner"),
    )  # fmt: skip
    updated_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entry statuses"

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.status_code or '-'}"


class EntryNote(models.Model):
    """A note on one ledger entry; notes are added, never overwritten."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="notes")
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="entry_notes"
    )
    text = models.TextField()
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class CallAction(models.Model):
    """A recommended next step recorded on a communication, for the customer or one entry."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="call_actions")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="call_actions")
    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="call_actions"
    )
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="call_actions"
    )
    action_type = models.ForeignKey(ActionType, on_delete=models.PROTECT)
    response = models.ForeignKey(
        CustomerResponse, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=gettext_lazy("customer response"),
    )  # fmt: skip
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    notes = models.TextField(blank=True)
    dispute = models.ForeignKey(
        Dispute, on_delete=models.SET_NULL, null=True, blank=True, related_name="call_actions"
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "action_type", "-created_at"], name="callaction_type_idx")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.action_type} on {self.customer}"


class ToDoKind(models.TextChoices):
    MANUAL = "manual", gettext_lazy("By hand")
    FOLLOW_UP = "follow_up", gettext_lazy("Follow-up call")
    PROMISE_CHECK = "promise_check", gettext_lazy("Check promised payment")
    PROMISE_BROKEN = "promise_broken", gettext_lazy("Broken promise")
    FOLLOWUP_LEVEL = "followup_level", gettext_lazy("Follow-up plan action")
    # An email from the customer waits to be read: chasing pauses until it is closed.
    REPLY = "reply", gettext_lazy("Reply received")
    OVER_LIMIT = "over_limit", gettext_lazy("Over credit limit")


class ToDo(models.Model):
    """A reminder for a controller; closed by hand, or when every entry it concerns is paid."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        CLOSED = "closed", gettext_lazy("Closed")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="todos")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="todos")
    description = models.CharField(max_length=300)
    due_on = models.DateField(gettext_lazy("due date"))
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="todos")
    kind = models.CharField(max_length=16, choices=ToDoKind.choices, default=ToDoKind.MANUAL)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    entries = models.ManyToManyField(LedgerEntry, blank=True, related_name="todos")
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="todos"
    )
    promise = models.ForeignKey(
        Promise, on_delete=models.SET_NULL, null=True, blank=True, related_name="todos"
    )
    notes = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ToDoQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="todo_closed_has_time",
                violation_error_message=gettext_lazy("A closed to-do has the time it was closed."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "due_on"], condition=Q(status="open"), name="todo_open_idx"
            ),
            models.Index(
                fields=["owner", "due_on"], condition=Q(status="open"), name="todo_owner_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Notification(models.Model):
    """A message to one user in the app (alerts from call actions, broken promises)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, null=True, blank=True)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    call_action = models.ForeignKey(
        CallAction, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"], condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.text


class CustomerLink(models.Model):
    """A customer's key to its self-service page (``token``) and its reply address
    (``reply_code``, in ``credit+<reply_code>@domain``): unguessable, expiring, revocable.

    Two secrets, so that the Reply-To a mail client shows to every reader does not open the
    page. A reply to an old reminder still finds its customer after the link expired.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=64, unique=True)
    reply_code = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_visit_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-expires_at"], name="link_customer_idx")]

    def __str__(self) -> str:
        return f"Self-service link of {self.customer_id}"

    def is_valid(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
