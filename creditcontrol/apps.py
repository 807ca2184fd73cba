from django.apps import AppConfig


class CreditcontrolConfig(AppConfig):
    """The project package as an app: roles migration, shared templates and commands."""

    name = "creditcontrol"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import sessions  # noqa: F401  (connects the sign-in receiver)
