"""The default outcomes, status codes, call action types and customer responses.

Managers add to, rename or retire them on the settings pages; retiring keeps old records
readable. Deleting this data on reversal would break records that use it, so reversal
leaves it in place.
"""

from django.db import migrations

OUTCOMES = [
    ("Payment promised", True),
    ("Left a message", False),
    ("No answer", False),
    ("Query raised", False),
    ("Will call back", False),
    ("Remittance received", False),
    ("Refused to pay", False),
]
STATUS_CODES = [
    # code, description, promised, queried, owner defaults to the user setting it
    ("PROM", "Payment promised", True, False, False),
    ("QRY", "Queried by the customer", False, True, True),
    ("POD", "Proof of delivery requested", False, True, False),
    ("COPY", "Copy invoice sent", False, False, False),
    ("HOLD", "On hold pending credit note", False, False, False),
]
ACTION_TYPES = [
    ("Alert", "alert"),
    ("Call", "record"),
    ("Collection action", "record"),
    ("Collection follow-up", "record"),
    ("Credit memo request", "credit_memo"),
    ("Exclude from follow-ups", "exclude"),
    ("Partial dispute", "dispute"),
]
RESPONSES = [
    "Agreed to pay",
    "Will pay part now",
    "Disputes the amount",
    "Asked for a copy invoice",
    "Awaiting approval",
    "Refused to pay",
    "No response",
]


def create_defaults(apps, schema_editor):
    Outcome = apps.get_model("communications", "Outcome")
    StatusCode = apps.get_model("communications", "StatusCode")
    ActionType = apps.get_model("communications", "ActionType")
    CustomerResponse = apps.get_model("communications", "CustomerResponse")
    for order, (name, creates_promise) in enumerate(OUTCOMES, start=1):
        Outcome.objects.get_or_create(
            name=name, defaults={"creates_promise": creates_promise, "sort_order": order * 10}
        )
    for order, (code, description, promised, queried, mine) in enumerate(STATUS_CODES, start=1):
        StatusCode.objects.get_or_create(
            code=code,
            defaults={"description": description, "is_promised": promised, "is_queried": queried,
                      "owner_defaults_to_user": mine, "sort_order": order * 10},
        )  # fmt: skip
    for order, (name, behaviour) in enumerate(ACTION_TYPES, start=1):
        ActionType.objects.get_or_create(
            name=name, defaults={"behaviour": behaviour, "sort_order": order * 10}
        )
    for order, name in enumerate(RESPONSES, start=1):
        CustomerResponse.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
