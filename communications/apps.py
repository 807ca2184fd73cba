from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "communications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ledger.signals import credit_limit_crossed, entries_paid

        from .limits import over_limit_raise
        from .receivers import on_entries_paid

        entries_paid.connect(on_entries_paid, dispatch_uid="communications.entries_paid")
        credit_limit_crossed.connect(over_limit_raise, dispatch_uid="communications.over_limit")
