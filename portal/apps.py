from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer's self-service page behind every reminder (no login; a link per customer)."""

    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"
