"""The sales ledger: companies, customers, contacts, open items and their applications.

Money is ``Decimal`` with its currency beside it. Ledger amounts are signed as the
accounting system signs them: invoices and debit memos positive, payments and
credit notes negative, and the remaining amount always lies between zero and the
amount (the database checks it, so a remaining amount can never cross zero).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.dates import DATE_STYLE_CHOICES, DEFAULT_STYLE

from .iso import COUNTRIES, CURRENCIES
from .querysets import (
    ApplicationQuerySet,
    CompanyQuerySet,
    ContactQuerySet,
    CustomerQuerySet,
    LedgerEntryQuerySet,
    MailListQuerySet,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0.00")
# Sane bounds, refused with a field message at the edge (sync, API, forms): an absurd
# rate or date is accepted by the columns but poisons every total and report after it.
MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
RATE_MIN, RATE_MAX = Decimal("0.000001"), Decimal("1000000")
EARLIEST_DATE, LATEST_DATE = dt.date(1990, 1, 1), dt.date(2099, 12, 31)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (for example Europe/London).")
            % {"value": value}
        )


def validate_currency(value: str) -> None:
    if value not in CURRENCIES:
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code such as GBP.") % {"value": value}
        )


def validate_country(value: str) -> None:
    if value and value not in COUNTRIES:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code such as GB.") % {"value": value}
        )


def validate_single_line(value: str) -> None:
    """Names and subjects go into email headers, where a line break is refused when sent."""
    if isinstance(value, str) and ("\r" in value or "\n" in value):
        raise ValidationError(_("Keep this on one line: it cannot contain a line break."))


def _single_line_fields(obj: models.Model, names: tuple[str, ...]) -> None:
    errors = {}
    for name in names:
        try:
            validate_single_line(getattr(obj, name))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


class Company(models.Model):
    """A legal entity with a base currency (the LCY) and a time zone."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    base_currency = models.CharField(max_length=3, validators=[validate_currency])
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(
        max_length=8,
        choices=[
            ("en", gettext_lazy("English")),
            ("de", gettext_lazy("German")),
            ("fr", gettext_lazy("French")),
        ],
        default="en",
        help_text=gettext_lazy(
            "The language of documents for customers that have none of their own."
        ),
    )
    date_style = models.CharField(
        gettext_lazy("date convention"),
        max_length=8,
        choices=DATE_STYLE_CHOICES,
        default=DEFAULT_STYLE,
        help_text=gettext_lazy(
            "How dates read on pages, exports and internal PDFs. Documents sent to customers "
            "follow the customer's language."
        ),
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="companies", blank=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The date in the company's time zone: chasing dates are decided there, not in UTC."""
        return (now or timezone.now()).astimezone(self.tz).date()


class DebtorRating(models.TextChoices):
    GOOD = "good", gettext_lazy("Good")
    NORMAL = "normal", gettext_lazy("Normal")
    BAD = "bad", gettext_lazy("Bad")


class Customer(models.Model):
    """An account in a company's sales ledger; its balances are derived, never stored."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="customers")
    account_code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    address_line1 = models.CharField(gettext_lazy("address"), max_length=200, blank=True)
    address_line2 = models.CharField(gettext_lazy("address (line 2)"), max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    county = models.CharField(
        gettext_lazy("county or region"), max_length=100, blank=True, default=""
    )
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text=gettext_lazy("ISO 3166 code, e.g. GB"),
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    controller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="controlled_customers",
    )
    credit_limit = models.DecimalField(**MONEY, default=ZERO, validators=[MinValueValidator(0)])
    on_hold = models.BooleanField(default=False)
    hold_reason = models.CharField(max_length=300, blank=True, default="")
    hold_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the customer was last put on hold or released."),
    )
    hold_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    exclude_from_followups = models.BooleanField(default=False)
    exclude_reason = models.CharField(max_length=300, blank=True, default="")
    exclude_until = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Excluded while this date is still ahead; blank: until included again."
        ),
    )
    # Set when the balance went over the credit limit, cleared when it came back under:
    # the over-limit to-do is raised once per crossing, not on every sync.
    over_limit_since = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    tax_number = models.CharField(
        gettext_lazy("tax or registration number"), max_length=40, blank=True, default=""
    )
    debtor_rating = models.CharField(
        max_length=8, choices=DebtorRating.choices, default=DebtorRating.NORMAL
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    external_ref = models.CharField(max_length=64, blank=True)
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=[
            ("en", gettext_lazy("English")),
            ("de", gettext_lazy("German")),
            ("fr", gettext_lazy("French")),
        ],
        help_text=gettext_lazy(
            "The language of the customer's documents; blank follows the company's."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "account_code"],
                name="customer_account_code_unique",
                violation_error_message=gettext_lazy(
                    "Another customer of this company already has this account code."
                ),
            ),
            models.UniqueConstraint(
                fields=["company", "external_ref"],
                condition=~Q(external_ref=""),
                name="customer_external_ref_unique",
                violation_error_message=gettext_lazy(
                    "Another customer of this company already has this external reference."
                ),
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0),
                name="customer_credit_limit_not_negative",
                violation_error_message=gettext_lazy("The credit limit cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(debtor_rating__in=DebtorRating.values),
                name="customer_debtor_rating_valid",
                violation_error_message=gettext_lazy(
                    "The debtor rating must be good, normal or bad."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(account_code=""),
                name="customer_account_code_not_blank",
                violation_error_message=gettext_lazy("Every customer needs an account code."),
            ),
        ]
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["account_code"], name="customer_account_idx"),
            models.Index(fields=["company", "postcode"], name="customer_postcode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_code} {self.name}"

    def clean(self) -> None:
        _single_line_fields(self, ("name", "account_code", "city", "postcode"))

    @property
    def document_language(self) -> str:
        """The language of this customer's documents: its own, else the company's."""
        return self.language or self.company.language

    @property
    def payment_reference(self) -> str:
        """What the customer quotes on a payment so that it is matched to its account."""
        return f"{self.company.code}-{self.account_code}".upper()

    def is_excluded_on(self, day: dt.date) -> bool:
        """Excluded from follow-ups on ``day`` (the same rule as ``followed_up``)."""
        return self.exclude_from_followups and (
            self.exclude_until is None or self.exclude_until > day
        )


class Contact(models.Model):
    """A person at a customer; at most one is the credit-control contact who gets reminders."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    position = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    is_credit_contact = models.BooleanField(gettext_lazy("credit-control contact"), default=False)
    receives_statements = models.BooleanField(gettext_lazy("statement recipient"), default=False)
    is_billing = models.BooleanField(gettext_lazy("billing contact"), default=False)
    copy_on_reminders = models.BooleanField(gettext_lazy("copy (Cc) on reminders"), default=False)
    is_active = models.BooleanField(default=True)
    email_bounced_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When mail to this address bounced; cleared when corrected."),
    )
    external_ref = models.CharField(max_length=64, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-is_credit_contact", "last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_credit_contact=True),
                name="contact_one_credit_contact_per_customer",
                violation_error_message=gettext_lazy(
                    "This customer already has a credit-control contact."
                ),
            ),
            models.UniqueConstraint(
                fields=["customer", "external_ref"],
                condition=~Q(external_ref=""),
                name="contact_external_ref_unique",
                violation_error_message=gettext_lazy(
                    "Another contact of this customer already has this external reference."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        _single_line_fields(self, ("first_name", "last_name", "position"))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class EntryType(models.TextChoices):
    # Translated: a customer's statement names them in its language.
    INVOICE = "invoice", gettext_lazy("Invoice")
    DEBIT_MEMO = "debit_memo", gettext_lazy("Debit memo")
    CREDIT_NOTE = "credit_note", gettext_lazy("Credit note")
    PAYMENT = "payment", gettext_lazy("Payment")


DEBIT_TYPES = (EntryType.INVOICE, EntryType.DEBIT_MEMO)
CREDIT_TYPES = (EntryType.CREDIT_NOTE, EntryType.PAYMENT)


class LedgerEntry(models.Model):
    """One item of a customer's sales ledger; open while its remaining amount is not zero."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="entries")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="entries")
    entry_type = models.CharField(max_length=12, choices=EntryType.choices)
    document_no = models.CharField(max_length=40)
    document_date = models.DateField()
    due_date = models.DateField()
    description = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    # Units of the company's base currency for one unit of the entry's currency.
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal(1))
    amount = models.DecimalField(**MONEY)
    remaining = models.DecimalField(**MONEY)
    amount_lcy = models.DecimalField(**MONEY)
    remaining_lcy = models.DecimalField(**MONEY)
    expected_payment_date = models.DateField(null=True, blank=True)
    exclude_forever = models.BooleanField(default=False)
    exclude_until = models.DateField(null=True, blank=True)
    # Where chasing has got to: the sequence of the last follow-up level executed for the
    # entry (0: none yet) and the company's date it was executed. Kept on the entry so
    # that the sync can import it at go-live and the engine reads it without a join.
    followup_level = models.PositiveSmallIntegerField(
        gettext_lazy("last follow-up level"), default=0, validators=[MaxValueValidator(99)]
    )
    followup_level_on = models.DateField(
        gettext_lazy("last follow-up level on"), null=True, blank=True
    )
    external_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "entry_type", "document_no"],
                name="entry_document_no_unique",
                violation_error_message=gettext_lazy(
                    "This company already has an entry of this type with this document number."
                ),
            ),
            models.UniqueConstraint(
                fields=["company", "external_ref"],
                condition=~Q(external_ref=""),
                name="entry_external_ref_unique",
                violation_error_message=gettext_lazy(
                    "Another entry of this company already has this external reference."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(entry_type__in=DEBIT_TYPES) & Q(amount__gt=0))
                | (Q(entry_type__in=CREDIT_TYPES) & Q(amount__lt=0)),
                name="entry_amount_sign_matches_type",
                violation_error_message=gettext_lazy(
                    "Invoices and debit memos have a positive amount; payments and credit notes a negative one."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(amount__gt=0) & Q(remaining__gte=0) & Q(remaining__lte=models.F("amount"))
                )
                | (Q(amount__lt=0) & Q(remaining__lte=0) & Q(remaining__gte=models.F("amount"))),
                name="entry_remaining_never_crosses_zero",
                violation_error_message=gettext_lazy(
                    "The remaining amount must lie between zero and the amount (same sign as the amount)."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(amount_lcy__gte=0) & Q(remaining_lcy__gte=0))
                | (Q(amount__lt=0) & Q(amount_lcy__lte=0) & Q(remaining_lcy__lte=0)),
                name="entry_lcy_sign_matches_amount",
                violation_error_message=gettext_lazy(
                    "The amounts in the base currency must have the same sign as the amount."
                ),
            ),
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0),
                name="entry_exchange_rate_positive",
                violation_error_message=gettext_lazy("The exchange rate must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("document_date")),
                name="entry_due_not_before_document",
                violation_error_message=gettext_lazy(
                    "The due date cannot be before the document date."
                ),
            ),
            models.CheckConstraint(
                condition=~(Q(exclude_forever=True) & Q(exclude_until__isnull=False)),
                name="entry_exclusion_forever_or_until",
                violation_error_message=gettext_lazy(
                    "An entry is excluded either forever or until a date, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(followup_level=0, followup_level_on__isnull=True)
                | Q(followup_level__gt=0, followup_level_on__isnull=False),
                name="entry_followup_level_has_its_date",
                violation_error_message=gettext_lazy(
                    "A last follow-up level needs the date it was executed (and no level, no date)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(document_no=""),
                name="entry_document_no_not_blank",
                violation_error_message=gettext_lazy("Every entry needs a document number."),
            ),
        ]
        indexes = [
            # The customer card, balances and the customer list's derived columns.
            models.Index(
                fields=["customer", "due_date"],
                include=["remaining_lcy", "entry_type"],
                condition=~Q(remaining=0),
                name="entry_open_customer_idx",
            ),
            # The follow-up engine and the aged-debt report scan open items by company.
            models.Index(
                fields=["company", "due_date"],
                include=["customer", "remaining_lcy"],
                condition=~Q(remaining=0),
                name="entry_open_company_due_idx",
            ),
            # The follow-up engine: everything it reads of an open debit, so that a run reads
            # the customers it restages (and the whole company, on a full run) from this
            # index alone, never from the table (see followups/restage.py).
            models.Index(
                fields=["customer"],
                include=[
                    "id",
                    "company",
                    "due_date",
                    "remaining_lcy",
                    "exchange_rate",
                    "followup_level",
                    "followup_level_on",
                    "exclude_forever",
                    "exclude_until",
                    "expected_payment_date",
                ],
                condition=~Q(remaining=0) & Q(entry_type__in=DEBIT_TYPES),
                name="entry_open_debit_chase_idx",
            ),
            models.Index(fields=["customer", "-document_date"], name="entry_customer_doc_idx"),
            # Looking entries up by document number (the sync's duplicate check, the global
            # search's exact match): without it PostgreSQL answers "= ANY(10,000 numbers)"
            # through the search's trigram index and rechecks every candidate: 70-90 s.
            models.Index(fields=["company", "document_no"], name="entry_company_doc_no_idx"),
            # The entry reports' sorts (aged drill-down, past due): walked in order, they
            # stop at the first page instead of sorting every open entry (1-1.6 s at 1M).
            *(
                models.Index(fields=[name, "id"], condition=~Q(remaining=0), name=index)
                for name, index in (
                    ("document_date", "entry_open_doc_date_idx"),
                    ("document_no", "entry_open_doc_no_idx"),
                    ("remaining", "entry_open_remaining_idx"),
                    ("remaining_lcy", "entry_open_rem_lcy_idx"),
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_entry_type_display()} {self.document_no}"

    def out_of_range(self) -> list[tuple[str, str]]:
        """The fields outside the sane bounds above, each with a message."""
        problems = []
        rate = self.exchange_rate
        if rate is not None and rate > 0 and not RATE_MIN <= rate <= RATE_MAX:
            problems.append(("exchange_rate", _("The exchange rate %(rate)s is outside %(rate_min)s to %(rate_max)s; check the rate's direction (base currency for one unit of the entry's).") % {"rate": rate, "rate_min": RATE_MIN, "rate_max": format(RATE_MAX, ',')}))  # fmt: skip
        elif rate and any(v is not None and abs(v * rate) >= MONEY_LIMIT
                          for v in (self.amount, self.remaining)):  # fmt: skip
            problems.append(("exchange_rate", _("The amount at this exchange rate is too large "
                             "to hold in the base currency.")))  # fmt: skip
        for name in ("document_date", "due_date", "expected_payment_date", "exclude_until"):
            day = getattr(self, name)
            if isinstance(day, dt.date) and not EARLIEST_DATE <= day <= LATEST_DATE:
                problems.append((name, _("The date %(day)s is outside %(year)s to %(year2)s.") % {"day": day, "year": EARLIEST_DATE.year, "year2": LATEST_DATE.year}))  # fmt: skip
        return problems

    def clean(self) -> None:
        problems = self.out_of_range()
        if problems:
            raise ValidationError({name: message for name, message in problems})

    @property
    def is_open(self) -> bool:
        return self.remaining != 0

    @property
    def is_debit(self) -> bool:
        return self.entry_type in DEBIT_TYPES

    def days_overdue(self, as_of: dt.date) -> int:
        """Days past the due date on ``as_of`` (zero when not yet due or not a debit)."""
        if not self.is_debit or not self.is_open:
            return 0
        return max((as_of - self.due_date).days, 0)

    def is_excluded_on(self, day: dt.date) -> bool:
        return self.exclude_forever or (self.exclude_until is not None and self.exclude_until > day)


class Application(models.Model):
    """A payment or credit note applied to an invoice or debit memo, lowering both."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="applications")
    credit_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="applications_given"
    )
    debit_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="applications_received"
    )
    amount = models.DecimalField(
        **MONEY, help_text=gettext_lazy("In the entries' currency; positive.")
    )
    applied_on = models.DateField()
    external_ref = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="application_amount_positive",
                violation_error_message=gettext_lazy("The amount applied must be more than zero."),
            ),
            models.CheckConstraint(
                condition=~Q(credit_entry=models.F("debit_entry")),
                name="application_two_different_entries",
                violation_error_message=gettext_lazy("An entry cannot be applied to itself."),
            ),
            models.UniqueConstraint(
                fields=["company", "external_ref"],
                condition=~Q(external_ref=""),
                name="application_external_ref_unique",
                violation_error_message=gettext_lazy(
                    "Another application of this company already has this external reference."
                ),
            ),
        ]
        indexes = [models.Index(fields=["debit_entry", "applied_on"], name="application_debit_idx")]

    def __str__(self) -> str:
        return f"{self.credit_entry} → {self.debit_entry}: {self.amount}"


class AuditEvent(models.Model):
    """Who changed what, when, with the values before and after (money, codes, exclusions)."""

    class Action(models.TextChoices):
        CREATE = "create", gettext_lazy("Created")
        UPDATE = "update", gettext_lazy("Changed")
        DELETE = "delete", gettext_lazy("Deleted")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="audit_events")
    action = models.CharField(max_length=8, choices=Action.choices)
    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, default="web")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class CustomerListLayout(models.Model):
    """One user's customer list: the columns shown, in order and width, and those not searched."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_list_layout"
    )
    columns = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy('In display order: [{"key": "name", "width": 220}, ...]'),
    )
    unsearched = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Keys of shown columns left out of the search."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Customer list layout of {self.user}"


class MailList(models.Model):
    """A named set of one company's customers saved from the customer list; shared ones
    can be loaded by every member of the company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="mail_lists")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_lists"
    )
    name = models.CharField(max_length=100)
    shared = models.BooleanField(gettext_lazy("shared with the team"), default=False)
    customers = models.ManyToManyField(Customer, related_name="mail_lists", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MailListQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "company", "name"],
                name="mail_list_name_unique_per_owner",
                violation_error_message=gettext_lazy("You already have a list with this name."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="mail_list_name_not_blank",
                violation_error_message=gettext_lazy("A list needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def entry_document_path(instance: EntryDocument, filename: str) -> str:
    # Random, so that a storage URL (S3, say) cannot be guessed from a document number.
    return f"entry-documents/{instance.company_id}/{uuid.uuid4().hex}.pdf"


class EntryDocument(models.Model):
    """The PDF of a ledger entry (its invoice or credit note), kept through the storage API.

    Uploaded for an entry, or first on its own (``entry`` empty, found by ``ref``) for the
    sync to attach by reference.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="document"
    )
    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=entry_document_path, max_length=200)
    filename = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.filename


# The kept balances live in a module of their own; Django finds models through this one.
from .balance_models import BalanceDate, CustomerBalance  # noqa: E402, F401
