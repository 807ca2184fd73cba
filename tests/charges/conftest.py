"""Charge terms on the first company's plan."""

from __future__ import annotations

import pytest

from charges.models import ChargeTerms, InterestBasis
from followups.plans import plan_for


@pytest.fixture
def plan(company):
    return plan_for(company)


@pytest.fixture
def fixed_terms(plan):
    """10 % a year, no compensation: the issue's worked example."""
    return ChargeTerms.objects.create(plan=plan, interest=InterestBasis.FIXED, fixed_rate=10)
