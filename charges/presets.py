"""Ready-made charge terms: apply one to a plan and adjust what the contract says.

- **UK** — Late Payment of Commercial Debts (Interest) Act 1998 (as amended by the Late
  Payment of Commercial Debts Regulations 2013): statutory interest at the Bank of England
  reference rate + 8 points; fixed compensation per invoice of £40 under £1,000, £70 from
  £1,000 to under £10,000, £100 from £10,000 (section 5A).
- **DE** — BGB § 288 (2): between businesses the base rate (Basiszinssatz, § 247) + 9
  points; § 288 (5): a flat €40 per late invoice (Verzugspauschale).

The bands are in the company's base currency (a UK company's pounds, a German one's
euros): a preset applied to a plan of another base currency is refused, rather than
charging £40 as 40 of something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ChargeTerms, InterestBasis, RateSeries


@dataclass(frozen=True)
class Preset:
    code: str
    label: str
    currency: str
    series: str
    margin: Decimal
    bands: tuple[tuple[Decimal, Decimal], ...]


PRESETS = {
    "UK": Preset(
        "UK",
        "UK: Late Payment of Commercial Debts (Interest) Act 1998",
        "GBP",
        RateSeries.GB_BOE,
        Decimal("8"),
        (
            (Decimal("0"), Decimal("40")),
            (Decimal("1000"), Decimal("70")),
            (Decimal("10000"), Decimal("100")),
        ),
    ),
    "DE": Preset(
        "DE",
        "Germany: BGB § 288 (2) and (5), between businesses",
        "EUR",
        RateSeries.DE_BASIS,
        Decimal("9"),
        ((Decimal("0"), Decimal("40")),),
    ),
}


@transaction.atomic
def preset_apply(plan, code: str, *, user, source: str = "web") -> ChargeTerms:
    """Set ``plan``'s interest and bands to the preset's (its level fees are left alone);
    a manager's change like any other (``services.terms_update``)."""
    from .services import terms_update

    preset = PRESETS.get(code)
    if preset is None:
        raise ValidationError(
            {"preset": _("Unknown preset %(code)s: choose UK or DE.") % {"code": code}}
        )
    if plan.company.base_currency != preset.currency:
        raise ValidationError({"preset": _(
            "The %(code)s preset's amounts are in %(preset)s; this company's base currency is "
            "%(currency)s."
        ) % {"code": code, "preset": preset.currency, "currency": plan.company.base_currency}})  # fmt: skip
    data = {
        "interest": InterestBasis.REFERENCE, "reference_series": preset.series,
        "margin": preset.margin, "fixed_rate": None, "preset": preset.code,
        "bands": [{"from_amount": low, "amount": fixed} for low, fixed in preset.bands],
    }  # fmt: skip
    return terms_update(user=user, plan=plan, data=data, source=source)
