"""``manage.py export_company CODE [--output FILE]``: every record of one company as JSON.

For a company leaving the installation, a subject-access request, or moving one company
to another installation: Django's serialisation of each model's rows that belong to the
company (directly, or through its customer, entry, communication, proposal, action or
promise), the installation-wide lists they refer to (outcomes, status codes, action types,
responses), and the user names of the people who worked on them (no passwords).
``manage.py loaddata`` reads the file back into an empty database of the same version.
"""

from __future__ import annotations

import json
import sys

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import BaseCommand, CommandError

from ledger.models import Company

APPS = ["ledger", "communications", "followups"]
# How a row reaches its company, tried in order.
PATHS = ["company", "customer__company", "entry__company", "communication__company",
         "proposal__company", "action__company", "promise__company", "credit_entry__company"]  # fmt: skip
SHARED = ["communications.Outcome", "communications.StatusCode", "communications.ActionType",
          "communications.CustomerResponse"]  # fmt: skip


def _path(model) -> str | None:
    for path in PATHS:
        field = path.split("__")[0]
        try:
            model._meta.get_field(field)
        except FieldDoesNotExist:
            continue
        return path
    return None


class Command(BaseCommand):
    help = "Export every record of one company (by code) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, code: str, output: str | None = None, **options):
        company = Company.objects.filter(code=code).first()
        if company is None:
            raise CommandError(f"No company has the code {code}.")
        objects: list = [company]
        counts: dict[str, int] = {}
        for label in SHARED:
            rows = list(apps.get_model(label).objects.all())
            objects += rows
            counts[label] = len(rows)
        for app in APPS:
            for model in apps.get_app_config(app).get_models():
                if model is Company:
                    continue
                path = _path(model)
                if path is None:
                    continue
                rows = list(model.objects.filter(**{path: company}).order_by("pk"))
                objects += rows
                counts[model._meta.label] = len(rows)
        data = json.loads(serializers.serialize("json", objects))
        document = {"company": company.code, "counts": counts, "objects": data}
        text = json.dumps(document, indent=1, ensure_ascii=False, default=str)
        if output:
            with open(output, "w", encoding="utf-8") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
        total = sum(counts.values()) + 1
        self.stderr.write(f"Exported {total:,} records of {company.code}.")
