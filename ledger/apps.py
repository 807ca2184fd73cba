from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Companies, customers, contacts, ledger entries, applications, sync and the audit trail."""

    name = "ledger"
    default_auto_field = "django.db.models.BigAutoField"
