from django.apps import AppConfig


class EventsConfig(AppConfig):
    """The outbox of business events for integrators, written beside each change."""

    name = "events"
    default_auto_field = "django.db.models.BigAutoField"
