"""What a company shows on its customers' self-service page: how to pay, and where."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from ledger.models import Company


class PortalSettings(models.Model):
    """A company's bank details and optional payment-page link for the self-service page."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="portal")
    bank_details = models.TextField(
        blank=True,
        help_text=gettext_lazy("Account holder, IBAN, BIC or sort code: shown under “How to pay”."),
    )
    pay_url_template = models.URLField(
        "payment page URL template", max_length=500, blank=True,
        help_text=gettext_lazy("Shown as a “Pay now” button; {amount}, {currency} and {reference} are "
        "filled in, e.g. https://pay.example.com/?amount={amount}&ref={reference}"),
    )  # fmt: skip

    class Meta:
        verbose_name = "self-service page settings"
        verbose_name_plural = "self-service page settings"

    def __str__(self) -> str:
        return f"Self-service page of {self.company}"
