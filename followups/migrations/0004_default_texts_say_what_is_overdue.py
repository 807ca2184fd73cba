# The default plan's subjects and letters said "{total} overdue" while a proposal may also
# list invoices not yet due; they now say "{overdue}". Levels whose texts are still the old
# defaults word for word are brought along, with the live proposals' unedited copies;
# texts anyone edited are left as they are.

from django.db import migrations

CHANGES = {
    "email_subject": [
        ("{company}: payment reminder, {total} overdue",
         "{company}: payment reminder, {overdue} overdue"),
        ("{company}: second reminder, {total} overdue",
         "{company}: second reminder, {overdue} overdue"),
    ],
    "letter_text": [
        ("The total of {total} is now seriously overdue. Please pay it within seven days "
         "of the date of this letter.",
         "Of the {total} listed, {overdue} is now seriously overdue. Please pay it within "
         "seven days of the date of this letter."),
        ("FINAL DEMAND. {total} is overdue on your account.",
         "FINAL DEMAND. {overdue} is overdue on your account."),
    ],
}


def forwards(apps, schema_editor):
    FollowUpLevel = apps.get_model("followups", "FollowUpLevel")
    Proposal = apps.get_model("followups", "Proposal")
    # Live proposals hold copies of their level's texts until someone edits them.
    copies = Proposal.objects.filter(status__in=("open", "postponed"), texts_edited=False)
    for rows in (FollowUpLevel.objects.all(), copies):
        for field, pairs in CHANGES.items():
            for old, new in pairs:
                for row in rows.filter(**{f"{field}__contains": old}):
                    setattr(row, field, getattr(row, field).replace(old, new))
                    row.save(update_fields=[field])


class Migration(migrations.Migration):

    dependencies = [("followups", "0003_entry_level_moves_to_the_entry")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
