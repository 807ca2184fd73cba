"""The published reference rates the presets use, from 2020.

UK: the Bank of England Bank Rate in force on 31 December / 30 June, the reference rate
of the Late Payment of Commercial Debts (Interest) Act 1998 for the following half year
(gov.uk, "Late commercial payments: charging interest and debt recovery").
Germany: the Basiszinssatz of § 247 BGB as published by the Deutsche Bundesbank
("Basiszinssatz nach § 247 BGB", changes on 1 January and 1 July).
Later rates are added by an administrator (Django admin) or a later migration.
"""

from decimal import Decimal

from django.db import migrations

GB = [
    ("2020-01-01", "0.75"), ("2020-07-01", "0.10"), ("2021-01-01", "0.10"),
    ("2021-07-01", "0.10"), ("2022-01-01", "0.25"), ("2022-07-01", "1.25"),
    ("2023-01-01", "3.50"), ("2023-07-01", "5.00"), ("2024-01-01", "5.25"),
    ("2024-07-01", "5.25"), ("2025-01-01", "4.75"), ("2025-07-01", "4.25"),
]  # fmt: skip
DE = [
    ("2020-01-01", "-0.88"), ("2020-07-01", "-0.88"), ("2021-01-01", "-0.88"),
    ("2021-07-01", "-0.88"), ("2022-01-01", "-0.88"), ("2022-07-01", "-0.88"),
    ("2023-01-01", "1.62"), ("2023-07-01", "3.12"), ("2024-01-01", "3.62"),
    ("2024-07-01", "3.37"), ("2025-01-01", "2.27"), ("2025-07-01", "1.27"),
]  # fmt: skip


def seed(apps, schema_editor):
    rate = apps.get_model("charges", "ReferenceRate")
    for series, rows in (("GB-BOE", GB), ("DE-BASIS", DE)):
        for day, value in rows:
            rate.objects.update_or_create(
                series=series, valid_from=day, defaults={"rate": Decimal(value)}
            )


def unseed(apps, schema_editor):
    apps.get_model("charges", "ReferenceRate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("charges", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
