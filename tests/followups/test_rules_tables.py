"""The scenario tables through the plain-Python rules (no database)."""

from decimal import Decimal

import pytest

from followups.rules import proposals

from .tables import SCENARIOS, D


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_rules_give_the_expected_proposals(scenario):
    result = proposals(scenario.plan, scenario.customers, scenario.entries, D)
    got = tuple((p.customer_id, p.level, p.entry_ids, p.total, p.entry_levels) for p in result)
    expected = tuple(
        (customer, level, ids, Decimal(total), levels)
        for customer, level, ids, total, levels in scenario.expected
    )
    assert got == expected
