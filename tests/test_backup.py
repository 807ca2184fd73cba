"""Backup and restore, as the README documents them, exercised on a small database; and
the export of one whole company (manage.py export_company)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, EntryFactory


def _psql_count(env, database: str, table: str) -> int:
    out = subprocess.run(["psql", "-tAc", f"SELECT count(*) FROM {table}", "-d", database],
                         env=env, check=True, capture_output=True, text=True)  # fmt: skip
    return int(out.stdout.strip())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_give_back_the_same_data(company, customer, tmp_path):
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    for n in range(5):
        EntryFactory(customer=customer, amount=Decimal("10.00") + n)
    CommunicationFactory(customer=customer)
    settings = connection.settings_dict
    env = {**os.environ, "PGHOST": settings["HOST"] or "127.0.0.1",
           "PGPORT": str(settings["PORT"] or 5432), "PGUSER": settings["USER"] or "postgres",
           "PGPASSWORD": settings["PASSWORD"] or ""}  # fmt: skip
    source, restored = settings["NAME"], f"{settings['NAME']}_restored"
    dump = tmp_path / "creditcontrol.dump"
    # The README's procedure: a custom-format dump, then a restore into an empty database.
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], env=env, check=True)
    subprocess.run(["dropdb", "--if-exists", restored], env=env, check=True)
    subprocess.run(["createdb", restored], env=env, check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}",
                        str(dump)], env=env, check=True)  # fmt: skip
        for table in ("ledger_customer", "ledger_ledgerentry", "communications_communication",
                      "django_migrations", "auth_user"):  # fmt: skip
            assert _psql_count(env, restored, table) == _psql_count(env, source, table), table
        assert _psql_count(env, restored, "ledger_ledgerentry") == 5
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=env, check=True)


@pytest.mark.django_db
def test_export_company_writes_every_record_of_that_company_only(company, other_company, tmp_path):
    mine = CustomerFactory(company=company, name="Ours Ltd")
    ContactFactory(customer=mine, last_name="Ourcontact")
    EntryFactory(customer=mine)
    CommunicationFactory(customer=mine, subject="Our call")
    theirs = CustomerFactory(company=other_company, name="Theirs GmbH")
    EntryFactory(customer=theirs)
    out = tmp_path / "acme.json"
    call_command("export_company", company.code, output=str(out))
    document = json.loads(out.read_text())
    assert document["company"] == "ACME"
    models = {o["model"] for o in document["objects"]}
    assert {"ledger.company", "ledger.customer", "ledger.contact", "ledger.ledgerentry",
            "communications.communication", "communications.outcome"} <= models  # fmt: skip
    text = out.read_text()
    assert "Ours Ltd" in text and "Ourcontact" in text and "Our call" in text
    assert "Theirs GmbH" not in text and "EURO" not in text
    assert document["counts"]["ledger.Customer"] == 1
