from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ledger.signals import entries_changed

        from .receivers import on_entries_changed

        entries_changed.connect(on_entries_changed, dispatch_uid="followups.entries_changed")
