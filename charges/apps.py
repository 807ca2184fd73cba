from django.apps import AppConfig


class ChargesConfig(AppConfig):
    """Late-payment charges: interest, fixed compensation and level fees, computed and
    proposed to the accounting system, never posted here."""

    name = "charges"
    default_auto_field = "django.db.models.BigAutoField"
