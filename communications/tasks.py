"""Celery tasks of the workbench: they load by id and call one service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from ledger.models import Company

from .models import Notification
from .promises import promises_settle


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def send_notification_email(notification_id: int) -> bool:
    """Email one in-app notification to its user; a user without an address is skipped."""
    note = Notification.objects.select_related("user", "company").filter(pk=notification_id).first()
    if note is None or not note.user.email:
        return False
    link = f"{settings.SITE_URL.rstrip('/')}{note.link}" if note.link else ""
    send_mail(
        subject=f"[{note.company.code}] {note.text[:80]}",
        message=f"{note.text}\n\n{link}".strip(),
        from_email=None,
        recipient_list=[note.user.email],
    )
    return True


@shared_task
def check_promises() -> dict[str, dict[str, int]]:
    """The daily promise check: every company decides its open promises whose date has
    passed, on its own today. Beat runs it hourly so that each company is checked soon
    after its own midnight; a second run the same day finds nothing left to decide."""
    results = {}
    for company in Company.objects.all():
        with transaction.atomic():
            results[company.code] = promises_settle(company=company, as_of=company.today())
    return results
