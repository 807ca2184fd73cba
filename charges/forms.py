"""The charge-terms form of the plan's settings page: interest, up to five compensation
bands and one fee per level. The service (``services.terms_update``) checks and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InterestBasis, RateSeries

BAND_ROWS = 5
RATE_FIELD = {"max_digits": 7, "decimal_places": 4, "required": False, "min_value": 0,
              "max_value": 100}  # fmt: skip
MONEY_FIELD = {"max_digits": 18, "decimal_places": 2, "required": False, "min_value": 0}


class ChargeTermsForm(forms.Form):
    interest = forms.ChoiceField(label=_("Interest"), choices=InterestBasis.choices)
    fixed_rate = forms.DecimalField(label=_("Fixed annual rate (%)"), **RATE_FIELD)
    reference_series = forms.ChoiceField(label=_("Reference rate"), required=False,
                                         choices=[("", "—"), *RateSeries.choices])  # fmt: skip
    margin = forms.DecimalField(label=_("Margin over the reference rate (points)"), **RATE_FIELD)

    def __init__(self, *args: Any, levels: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.levels = levels
        for n in range(BAND_ROWS):
            self.fields[f"band_from_{n}"] = forms.DecimalField(label=_("From"), **MONEY_FIELD)
            self.fields[f"band_amount_{n}"] = forms.DecimalField(label=_("Compensation"),
                                                                 **MONEY_FIELD)  # fmt: skip
        for level in levels:
            self.fields[f"fee_{level.sequence}"] = forms.DecimalField(
                label=level.name, **MONEY_FIELD
            )

    def band_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"band_from_{n}"], self[f"band_amount_{n}"]) for n in range(BAND_ROWS)]

    def fee_rows(self) -> list[tuple[Any, Any]]:
        return [(level, self[f"fee_{level.sequence}"]) for level in self.levels]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for n in range(BAND_ROWS):
            low, fixed = data.get(f"band_from_{n}"), data.get(f"band_amount_{n}")
            if (low is None) != (fixed is None):
                self.add_error(f"band_from_{n}" if low is None else f"band_amount_{n}",
                               _("Give both the lower bound and the compensation, or neither."))  # fmt: skip
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "interest": d["interest"],
            "fixed_rate": d.get("fixed_rate"),
            "reference_series": d.get("reference_series") or "",
            "margin": d.get("margin") or 0,
            "bands": [
                {"from_amount": d[f"band_from_{n}"], "amount": d[f"band_amount_{n}"]}
                for n in range(BAND_ROWS)
                if d.get(f"band_from_{n}") is not None and d.get(f"band_amount_{n}") is not None
            ],
            "level_fees": {
                level.sequence: d.get(f"fee_{level.sequence}") or 0 for level in self.levels
            },
        }


def initial_of(terms: Any, fees: dict[str, str]) -> dict[str, Any]:
    """The form's initial values from saved terms (None: no terms yet)."""
    initial: dict[str, Any] = {"interest": InterestBasis.NONE, "margin": 0}
    if terms is not None:
        initial.update(interest=terms.interest, fixed_rate=terms.fixed_rate,
                       reference_series=terms.reference_series, margin=terms.margin)  # fmt: skip
        for n, band in enumerate(terms.bands.order_by("from_amount")[:BAND_ROWS]):
            initial[f"band_from_{n}"] = band.from_amount
            initial[f"band_amount_{n}"] = band.amount
    for sequence, fee in fees.items():
        initial[f"fee_{sequence}"] = fee
    return initial
