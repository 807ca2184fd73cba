from django.apps import AppConfig


class TeamConfig(AppConfig):
    """Administration in the application: users, roles, company memberships, API tokens,
    and each person's own account (password, sign out everywhere)."""

    name = "team"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import remember_sign_in

        user_logged_in.connect(remember_sign_in, dispatch_uid="team.remember_sign_in")
