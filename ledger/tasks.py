"""Celery tasks of the ledger: they load by id and call one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from .balances import balances_roll
from .models import Company


@shared_task(autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3)
def roll_balances(company_id: int, as_of: str) -> bool:
    """Move one company's kept overdue and aged figures to ``as_of`` (its new today).
    A second delivery finds it there and does nothing."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return False
    return balances_roll(company=company, as_of=dt.date.fromisoformat(as_of))
