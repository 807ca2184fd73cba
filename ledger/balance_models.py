"""The kept per-customer balances (``ledger/balances.py`` says how they are kept)."""

from __future__ import annotations

from django.db import models

from .models import MONEY, Company, Customer


class BalanceDate(models.Model):
    """The date a company's kept overdue and aged figures are as of."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="balance_date"
    )
    as_of = models.DateField()

    def __str__(self) -> str:
        return f"{self.company_id}: {self.as_of}"


class CustomerBalance(models.Model):
    """A customer's totals in LCY, kept by database triggers in the writing transaction."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="kept"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    balance_lcy = models.DecimalField(**MONEY, default=0)
    open_entry_count = models.IntegerField(default=0)
    # As of the company's BalanceDate:
    overdue_lcy = models.DecimalField(**MONEY, default=0)
    not_due = models.DecimalField(**MONEY, default=0)
    days_1_30 = models.DecimalField(**MONEY, default=0)
    days_31_60 = models.DecimalField(**MONEY, default=0)
    days_61_90 = models.DecimalField(**MONEY, default=0)
    days_over_90 = models.DecimalField(**MONEY, default=0)
    aged_total = models.DecimalField(**MONEY, default=0)
    aged_entry_count = models.IntegerField(default=0)  # entries in the aged report

    class Meta:
        # Sorting 100,000 customers by a figure walks one of these and stops at a page.
        # Only the sorts people use every day have one: every index is written again by
        # each write that moves a balance (a 10,000-row sync rewrites ~8,000 rows here),
        # and the aged buckets sort well enough without (~180 ms for 100,000 small rows
        # on the busy bench machine, against the aged report's 500 ms).
        indexes = [
            models.Index(fields=[name, "customer"], name=f"kept_{name}_idx")
            for name in ("balance_lcy", "overdue_lcy", "aged_total")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.balance_lcy}"
