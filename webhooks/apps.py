from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed webhooks for integrators: endpoints, deliveries of the events outbox, replay."""

    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"
