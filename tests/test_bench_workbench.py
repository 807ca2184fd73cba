"""The benchmark's workbench step: set-based rows that respect every constraint, spread
over the loaded customers and their controllers (a small load into the test database)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from bench import generate as gen
from bench.workbench_data import counts_for
from communications.models import Communication, Dispute, Promise, PromiseEntry, ToDo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def loaded(db):
    if connection.vendor != "postgresql":
        pytest.skip("The generator loads with PostgreSQL COPY.")
    return gen.load(n_customers=200, n_entries=20_000, prefix="wbtest",
                    today=gen.dt.date(2026, 11, 23))  # fmt: skip


def test_workbench_rows_at_scale(loaded):
    expected = counts_for(20_000)
    assert expected == {"communications": 1200, "promises": 400, "disputes": 200, "todos": 600}
    assert loaded.workbench["communications"] == Communication.objects.count() > 200
    assert loaded.workbench == {
        "communications": Communication.objects.count(), "promises": Promise.objects.count(),
        "disputes": Dispute.objects.count(), "todos": ToDo.objects.count(),
    }  # fmt: skip
    completed = Communication.objects.completed().count() / Communication.objects.count()
    assert 0.1 < completed < 0.3
    assert set(Promise.objects.values_list("status", flat=True)) == {"open", "kept", "broken"}
    assert PromiseEntry.objects.count() == Promise.objects.count()
    disputes = Dispute.objects.open()
    assert disputes.count() == loaded.workbench["disputes"] == expected["disputes"]
    assert not disputes.filter(amount__gt=F("entry__remaining")).exists()
    assert not disputes.exclude(customer=F("entry__customer")).exists()
    assert ToDo.objects.open().exists() and ToDo.objects.closed().exists()
    connection.check_constraints()
