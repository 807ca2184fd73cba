"""Late-payment charge settings, the dated reference rates and the charges the
accounting system has acknowledged as posted.

The settings hang off the follow-up plan and its levels by string references, so this
app sits under ``followups`` in the import layers (followups shows the figures; charges
never imports followups). Charges are computed (``charges.rules`` for one entry,
``charges.queries`` for many), never stored, until the integrator acknowledges one as
posted in the accounting system: then it is kept here, is never proposed again, and the
ledger entry the sync brings back for it (``posted_ref`` = its external reference) is
linked to it and carries no charges of its own.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ledger.models import Company, Customer, LedgerEntry

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}
ZERO = Decimal("0.00")


class RateSeries(models.TextChoices):
    """The published reference rates the product keeps (a new one is a new choice)."""

    GB_BOE = "GB-BOE", _("UK: Bank of England reference rate (fixed 30 June / 31 December)")
    DE_BASIS = "DE-BASIS", _("Germany: Basiszinssatz (Deutsche Bundesbank, § 247 BGB)")


class ReferenceRate(models.Model):
    """One published rate of a series, applying from ``valid_from`` until the next one.

    Public facts shared by every company: read by everyone (API), changed by
    administrators only (Django admin, or a data migration when the product ships new
    ones), so one company cannot change another's charges."""

    series = models.CharField(max_length=12, choices=RateSeries.choices)
    valid_from = models.DateField(help_text=_("The rate applies from this day."))
    rate = models.DecimalField(
        **RATE, validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_("Percent a year; may be negative (the Basiszinssatz was, 2016-2022)."),
    )  # fmt: skip

    class Meta:
        ordering = ["series", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["series", "valid_from"], name="reference_rate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.valid_from}: {self.rate} %"


class InterestBasis(models.TextChoices):
    NONE = "none", _("No interest")
    FIXED = "fixed", _("A fixed annual rate")
    REFERENCE = "reference", _("A reference rate plus a margin")


class ChargeTerms(models.Model):
    """A plan's interest and fixed-compensation terms (none until a manager sets them)."""

    plan = models.OneToOneField(
        "followups.FollowUpPlan", on_delete=models.CASCADE, related_name="charge_terms"
    )
    interest = models.CharField(max_length=10, choices=InterestBasis.choices,
                                default=InterestBasis.NONE)  # fmt: skip
    fixed_rate = models.DecimalField(
        _("fixed annual rate (%)"), **RATE, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    reference_series = models.CharField(
        _("reference rate"), max_length=12, choices=RateSeries.choices, blank=True
    )
    margin = models.DecimalField(
        _("margin (points)"), **RATE, default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    preset = models.CharField(max_length=8, blank=True, help_text=_("The preset last applied."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "charge terms"
        verbose_name_plural = "charge terms"
        constraints = [
            models.CheckConstraint(
                condition=Q(interest="none")
                | Q(interest="fixed", fixed_rate__isnull=False)
                | (Q(interest="reference") & ~Q(reference_series="")),
                name="charge_terms_interest_complete",
                violation_error_message="A fixed rate needs its rate; a reference rate its series.",
            ),
        ]

    def __str__(self) -> str:
        return f"Charges of {self.plan_id}"

    def clean(self) -> None:
        if self.interest == InterestBasis.FIXED and self.fixed_rate is None:
            raise ValidationError({"fixed_rate": _("Give the fixed annual rate.")})
        if self.interest == InterestBasis.REFERENCE and not self.reference_series:
            raise ValidationError({"reference_series": _("Choose the reference rate.")})


class CompensationBand(models.Model):
    """Fixed compensation per overdue invoice whose amount (base currency) is at least
    ``from_amount`` and below the next band's."""

    terms = models.ForeignKey(ChargeTerms, on_delete=models.CASCADE, related_name="bands")
    from_amount = models.DecimalField(_("from invoice amount"), **MONEY,
                                      validators=[MinValueValidator(0)])  # fmt: skip
    amount = models.DecimalField(_("compensation"), **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["terms", "from_amount"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "from_amount"], name="band_from_unique"),
        ]

    def __str__(self) -> str:
        return f"from {self.from_amount}: {self.amount}"


class LevelFee(models.Model):
    """A fixed fee charged with each reminder sent at a level (base currency)."""

    level = models.OneToOneField(
        "followups.FollowUpLevel", on_delete=models.CASCADE, related_name="charge_fee"
    )
    fee = models.DecimalField(**MONEY, default=ZERO, validators=[MinValueValidator(0)])

    def __str__(self) -> str:
        return f"{self.level_id}: {self.fee}"


class ChargeKind(models.TextChoices):
    INTEREST = "interest", _("Interest")
    COMPENSATION = "compensation", _("Fixed compensation")
    FEE = "fee", _("Reminder fee")


class ReminderFee(models.Model):
    """The fee of a reminder sent: written when a proposal at a level with a fee is
    executed (never when skipped), at the fee then in force, in the base currency."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    action = models.OneToOneField(
        "followups.FollowUpAction", on_delete=models.CASCADE, related_name="charge_fee"
    )
    level_sequence = models.PositiveSmallIntegerField()
    level_name = models.CharField(max_length=100)
    fee = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    charged_on = models.DateField()

    class Meta:
        ordering = ["-charged_on", "-id"]
        indexes = [models.Index(fields=["company", "customer"], name="reminder_fee_customer_idx")]

    def __str__(self) -> str:
        return f"FEE-{self.action_id}"


class PostedCharge(models.Model):
    """A proposed charge the accounting system has posted (acknowledged through the API).

    ``reference`` is the proposed charge's: ``INT-<entry>-<from>-<to>`` for interest over
    a period (days inclusive), ``CMP-<entry>`` for the fixed compensation, ``FEE-<history
    line>`` for a reminder's fee (no entry)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="posted_charges")  # fmt: skip
    reference = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=ChargeKind.choices)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    amount_lcy = models.DecimalField(**MONEY)
    posted_ref = models.CharField(
        max_length=64, blank=True,
        help_text=_("The external reference of the ledger entry the sync brings back for it."),
    )  # fmt: skip
    acknowledged_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "reference"], name="posted_charge_unique"),
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(kind="compensation"),
                name="posted_compensation_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["compensation", "fee"])
                | Q(period_from__isnull=False, period_to__gte=models.F("period_from")),
                name="posted_interest_has_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="fee") | Q(entry__isnull=False),
                name="posted_charge_entry_unless_fee",
            ),
        ]
        indexes = [
            models.Index(fields=["entry", "kind", "period_to"], name="posted_charge_entry_idx"),
            models.Index(fields=["company", "posted_ref"], name="posted_charge_ref_idx"),
        ]

    def __str__(self) -> str:
        return self.reference
