from django.apps import AppConfig


class InboundConfig(AppConfig):
    """Replies come back: the IMAP poller and the inbound endpoint, matched and recorded."""

    name = "inbound"
    default_auto_field = "django.db.models.BigAutoField"
