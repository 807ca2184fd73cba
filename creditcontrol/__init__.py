"""The creditcontrol project package: settings, URLs, the Celery app, roles and shared UI."""

from .celery import app as celery_app

__all__ = ["celery_app"]
