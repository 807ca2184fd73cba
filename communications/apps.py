from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "communications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ledger.signals import entries_paid

        from .receivers import on_entries_paid

        entries_paid.connect(on_entries_paid, dispatch_uid="communications.entries_paid")
