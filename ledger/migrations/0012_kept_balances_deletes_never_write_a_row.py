"""Reinstall the kept-balance triggers: a deleted entry now only takes its share off a kept
row and never writes one back (emptying the tables failed its commit on SQLite)."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from ledger.balances import drop_triggers, install_triggers

    drop_triggers(schema_editor)
    install_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_merge_20261203_1900")]

    operations = [migrations.RunPython(reinstall, reinstall)]
