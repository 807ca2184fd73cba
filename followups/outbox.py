"""The outbox: every email and letter the follow-ups produce, sent exactly once.

A row is written in the same transaction as the action that wants it (one per key, such
as ``proposal:<id>:email``). A worker then:

1. *claims* a due pending row: marks it ``sending`` with the time, its name and one more
   attempt, and commits. On PostgreSQL the row is picked with ``FOR UPDATE SKIP LOCKED``,
   so two workers never take the same row; on SQLite, which has no row locks, a
   conditional ``UPDATE ... WHERE status = 'pending'`` must change exactly one row.
2. *sends* it: an email with the statement PDF attached when asked; a letter is rendered
   to PDF and stored as a ``Document`` of the action ("sent" for a letter means ready to
   print), in the same transaction as marking it sent.
3. marks it ``sent``. A failure goes back to ``pending`` with a growing delay (1, 5, 25,
   125 minutes) and after ``MAX_ATTEMPTS`` stays ``failed`` with its last error.

A worker that dies between claiming and marking leaves the row ``sending``: nobody knows
whether the email went. ``outbox_flag_stale`` moves such rows to ``review`` and they are
never sent again unless a manager decides to (resend, cancel or mark sent).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcontrol.claims import claim_due, worker_name
from creditcontrol.roles import is_manager
from creditcontrol.taskqueue import enqueue
from ledger.audit import audit_record
from ledger.models import AuditEvent, Company, Customer, LedgerEntry
from ledger.services import require_company

from . import languages
from .models import Document, OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
MAX_ATTEMPTS = 5
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=25),
           dt.timedelta(minutes=125))  # fmt: skip
# Longer than any send takes (the SMTP timeout is far shorter): a row still "sending" after
# this was left by a worker that stopped.
STALE_AFTER = dt.timedelta(minutes=15)
STALE_NOTE = (
    "Left “sending” by a worker that stopped: it may or may not have gone. It is not sent "
    "again unless a manager resends it (or marks it sent, or cancels it)."
)


def outbox_enqueue(
    *,
    company: Company,
    customer: Customer,
    kind: str,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    as_of: dt.date,
    attach_statement: bool = False,
    attach_copies: bool = False,
    level: Any = None,
    entries: Iterable[LedgerEntry] = (),
    action: Any = None,
    communication: Any = None,
    user: Any = None,
    cc: Iterable[str] = (),
) -> OutboxMessage:
    """Queue one message; a second call with the same key returns the first row unchanged."""
    if kind != OutboxMessage.Kind.LETTER and not to:
        raise ValidationError({"to": _("An email needs at least one address.")})
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                company=company, customer=customer, kind=kind, key=key, to=list(to), cc=list(cc),
                # One line whatever the data: a line break in a header fails every send.
                subject=" ".join(subject.split())[:200], body=body, as_of=as_of,
                attach_statement=attach_statement, attach_copies=attach_copies,
                level=level, action=action, communication=communication,
                created_by=user if getattr(user, "pk", None) else None,
            )  # fmt: skip
            message.entries.set(list(entries))
    except IntegrityError:
        # Another transaction queued the same key first: theirs is the one message.
        return OutboxMessage.objects.get(key=key)
    return message


def outbox_claim(*, worker: str) -> OutboxMessage | None:
    """Take one due pending message for ``worker`` and commit the claim (None: none due)."""
    claimed = claim_due(OutboxMessage, worker=worker, now=timezone.now(),
                        pending=Status.PENDING, sending=Status.SENDING)  # fmt: skip
    if claimed is None:
        return None
    return OutboxMessage.objects.select_related(
        "company", "customer", "level", "communication"
    ).get(pk=claimed)


def _send_email(message: OutboxMessage) -> tuple[str, bytes] | None:
    """Send the email; the statement attached (its file name and bytes), if any.

    In the customer's language, with a Message-ID (kept, for threading the reply), a
    Reply-To that identifies the customer, the self-service link under the text, and the
    invoice copies of its entries when asked (``followups.reach``).
    """
    from . import reach

    attached = None
    customer = message.customer
    envelope = reach.envelope(message)
    with languages.in_language(customer):
        email = EmailMessage(
            subject=message.subject, body=message.body + envelope.footer, to=list(message.to),
            cc=list(message.cc), reply_to=envelope.reply_to, headers=envelope.headers,
        )  # fmt: skip
        if message.attach_statement:
            from . import documents  # WeasyPrint is heavy: loaded when a PDF is made

            pdf = documents.statement_pdf(customer=customer, as_of=message.as_of)
            name = f"statement-{customer.account_code}-{message.as_of:%Y-%m-%d}.pdf"
            email.attach(name, pdf, "application/pdf")
            attached = (name, pdf)
        if message.attach_copies:
            for name, pdf in reach.invoice_copies(message):
                email.attach(name, pdf, "application/pdf")
    email.send(fail_silently=False)
    return attached


def _letter_pdf(message: OutboxMessage) -> bytes:
    from . import documents

    level = message.level
    style = (message.communication.letter_style if message.communication_id else "") or (
        level.letter_style if level is not None else "standard"
    )
    entries = list(message.entries.order_by("due_date", "pk"))
    with languages.in_language(message.customer):
        return documents.letter_pdf(customer=message.customer, level=level, entries=entries,
                                    text=message.body, as_of=message.as_of,
                                    letter_style=style)  # fmt: skip


def _mark_sent(message: OutboxMessage) -> bool:
    # A slow send may have been flagged for review meanwhile: it did go, so it is sent.
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk, claimed_by=message.claimed_by, status__in=(Status.SENDING, Status.REVIEW)
        ).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    )


def _mark_failed(message: OutboxMessage, error: BaseException) -> None:
    text = f"{type(error).__name__}: {error}"[:2000]
    mine = OutboxMessage.objects.filter(pk=message.pk, claimed_by=message.claimed_by)
    if message.attempts >= MAX_ATTEMPTS:
        mine.filter(status=Status.SENDING).update(status=Status.FAILED, last_error=text)
        return
    later = timezone.now() + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
    mine.filter(status=Status.SENDING).update(
        status=Status.PENDING, next_attempt_at=later, last_error=text
    )
    # Flagged for review while failing: the error is still worth showing to the manager.
    mine.filter(status=Status.REVIEW).update(last_error=text)


def outbox_send(message: OutboxMessage) -> bool:
    """Send one claimed message and mark it sent (True); a failure is recorded for a later
    attempt or, after the last, as failed (False)."""
    try:
        if message.kind == OutboxMessage.Kind.LETTER:
            from . import documents

            pdf = _letter_pdf(message)
            level = message.level.sequence if message.level else 0
            name = f"letter-{message.customer.account_code}-L{level}-{message.as_of:%Y-%m-%d}.pdf"
            with transaction.atomic():
                documents.document_store(customer=message.customer, kind=Document.Kind.LETTER,
                                         filename=name, content=pdf, action=message.action)  # fmt: skip
                if not _mark_sent(message):
                    raise RuntimeError("The message was no longer claimed by this worker.")
            return True
        attached = _send_email(message)
    except Exception as error:
        logger.exception("Outbox message %s (%s) failed", message.pk, message.key)
        _mark_failed(message, error)
        return False
    with transaction.atomic():
        if attached is not None and message.action_id:
            from . import documents

            # Kept as it was sent, so the history shows the statement the customer got.
            documents.document_store(customer=message.customer, kind=Document.Kind.STATEMENT,
                                     filename=attached[0], content=attached[1],
                                     action=message.action)  # fmt: skip
        if not _mark_sent(message):
            logger.warning(
                "Outbox message %s was sent but no longer claimed by this worker", message.pk
            )
    return True


def outbox_deliver(*, limit: int = 100) -> int:
    """Claim and send due messages, one at a time, up to ``limit``; returns how many went."""
    worker = worker_name()
    sent = 0
    for _attempt in range(limit):
        message = outbox_claim(worker=worker)
        if message is None:
            break
        sent += outbox_send(message)
    return sent


def outbox_flag_stale(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Move messages left "sending" longer than ``older_than`` to review; never resend them."""
    cutoff = timezone.now() - older_than
    return OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.REVIEW, last_error=STALE_NOTE
    )


def _decide(user: Any, message: OutboxMessage, allowed: tuple[str, ...], verb: str,
            source: str, **changes: Any) -> OutboxMessage:  # fmt: skip
    require_company(user, message.company, check=is_manager)
    m = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if m.status not in allowed:
        raise ValidationError(
            _("A message that is “%(m_get_status_display_low)s” cannot be %(verb)s.")
            % {"m_get_status_display_low": m.get_status_display().lower(), "verb": verb}
        )
    before = m.status
    for name, value in changes.items():
        setattr(m, name, value)
    m.save(update_fields=[*changes])
    audit_record(user=user, obj=m, action=AuditEvent.Action.UPDATE, source=source,
                 before={"status": before}, after={"status": m.status})  # fmt: skip
    return m


@transaction.atomic
def outbox_resend(*, user: Any, message: OutboxMessage, source: str = "web") -> OutboxMessage:
    """A manager's decision: send again a message needing review, failed or cancelled."""
    m = _decide(user, message, (Status.REVIEW, Status.FAILED, Status.CANCELLED), "resent",
                source, status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(),
                claimed_at=None, claimed_by="", last_error="")  # fmt: skip
    from .tasks import deliver_outbox  # the tasks import this module

    enqueue(deliver_outbox, once=True)
    return m


@transaction.atomic
def outbox_cancel(*, user: Any, message: OutboxMessage, source: str = "web") -> OutboxMessage:
    """A manager's decision: this message is not to be sent."""
    return _decide(user, message, (Status.PENDING, Status.REVIEW, Status.FAILED), "cancelled",
                   source, status=Status.CANCELLED)  # fmt: skip


@transaction.atomic
def outbox_mark_sent(*, user: Any, message: OutboxMessage, source: str = "web") -> OutboxMessage:
    """A manager's decision: it did go (checked in the mail server, say); nothing is sent."""
    return _decide(user, message, (Status.REVIEW, Status.FAILED), "marked sent", source,
                   status=Status.SENT, sent_at=timezone.now())  # fmt: skip
