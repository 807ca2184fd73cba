"""Unmatched messages taken before they had a company: with one company installed, it is
theirs (as ``inbound.services._company_of_unmatched`` decides for new ones)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Company = apps.get_model("ledger", "Company")
    InboundMessage = apps.get_model("inbound", "InboundMessage")
    companies = list(Company.objects.values_list("pk", flat=True)[:2])
    if len(companies) == 1:
        InboundMessage.objects.filter(kind="unmatched", company__isnull=True).update(
            company_id=companies[0]
        )


class Migration(migrations.Migration):
    dependencies = [("inbound", "0002_unmatched_page")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
