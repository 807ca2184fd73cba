# The last executed follow-up level moves from its own table onto the ledger entry, so
# that the sync can import it (go-live) and the engine reads it without a join.

from django.db import migrations

COPY = """
UPDATE ledger_ledgerentry SET
    followup_level = (SELECT l.level FROM followups_entrylevel l
                      WHERE l.entry_id = ledger_ledgerentry.id),
    followup_level_on = (SELECT l.executed_on FROM followups_entrylevel l
                         WHERE l.entry_id = ledger_ledgerentry.id)
WHERE id IN (SELECT entry_id FROM followups_entrylevel)
"""

BACK = """
INSERT INTO followups_entrylevel (entry_id, company_id, level, executed_on)
SELECT id, company_id, followup_level, followup_level_on FROM ledger_ledgerentry
WHERE followup_level > 0
"""


class Migration(migrations.Migration):

    dependencies = [
        ("followups", "0002_proposal_lines_digest"),
        ("ledger", "0005_entry_followup_level"),
    ]

    operations = [
        migrations.RunSQL(COPY, BACK),
        migrations.DeleteModel(name="EntryLevel"),
    ]
