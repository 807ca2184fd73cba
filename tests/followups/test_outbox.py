"""The outbox (followups/outbox.py): each message claimed once, retried with backoff, rows a
dead worker left behind sent for review and never sent again blindly; on PostgreSQL with
real concurrent workers, a killed process, and a real Celery worker against Redis."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from pypdf import PdfReader

from followups import outbox
from followups.models import OutboxMessage
from followups.outbox import (
    outbox_cancel,
    outbox_claim,
    outbox_deliver,
    outbox_enqueue,
    outbox_flag_stale,
    outbox_mark_sent,
    outbox_resend,
    outbox_send,
)
from followups.tasks import deliver_outbox, flag_stale_outbox
from tests.factories import ContactFactory, EntryFactory
from tests.processes import stop, wait_for

Status = OutboxMessage.Status
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ROOT = Path(settings.BASE_DIR)


def queue(customer, n: int = 0, **kwargs) -> OutboxMessage:
    fields = {"kind": "email", "to": ["jo@bolt.example"], "subject": f"Reminder {n}",
              "body": "Please pay.", "as_of": dt.date(2026, 11, 23)}  # fmt: skip
    fields.update(kwargs)
    return outbox_enqueue(company=customer.company, customer=customer, key=f"test:{n}", **fields)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
class TestOneWorker:
    def test_a_key_is_queued_once(self, customer):
        first = queue(customer)
        again = queue(customer, subject="Something else")
        assert again == first and OutboxMessage.objects.count() == 1
        assert again.subject == "Reminder 0"

    def test_an_email_without_an_address_is_not_queued(self, customer):
        with pytest.raises(ValidationError, match="at least one address"):
            queue(customer, to=[])

    def test_a_message_is_claimed_once(self, customer, clock):
        message = queue(customer)
        claimed = outbox_claim(worker="w1")
        assert claimed == message
        assert (claimed.status, claimed.attempts, claimed.claimed_by, claimed.claimed_at) == (
            Status.SENDING, 1, "w1", START,
        )  # fmt: skip
        assert outbox_claim(worker="w2") is None

    def test_a_message_waits_for_its_next_attempt(self, customer, clock):
        message = queue(customer)
        OutboxMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=START + dt.timedelta(minutes=1)
        )
        assert outbox_claim(worker="w1") is None
        clock.shift(dt.timedelta(minutes=1))
        assert outbox_claim(worker="w1") == message

    def test_an_email_goes_with_the_statement_attached(self, customer, clock):
        EntryFactory(customer=customer, document_no="INV-4711")
        message = queue(customer, attach_statement=True)
        assert deliver_outbox() == 1
        message.refresh_from_db()
        assert (message.status, message.sent_at) == (Status.SENT, START)
        [email] = mail.outbox
        assert (email.to, email.subject, email.extra_headers["X-Outbox-Key"]) == (
            ["jo@bolt.example"], "Reminder 0", "test:0",
        )  # fmt: skip
        name, content, mimetype = email.attachments[0]
        assert (name, mimetype) == ("statement-ACC001-2026-11-23.pdf", "application/pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        assert "Bolt & Nut Ltd" in text and "INV-4711" in text
        assert deliver_outbox() == 0 and len(mail.outbox) == 1

    def test_the_statement_sent_is_kept_on_the_history_line(self, customer, clock):
        from followups.models import Channel, Document, FollowUpAction

        EntryFactory(customer=customer, document_no="INV-4712")
        action = FollowUpAction.objects.create(
            company=customer.company, customer=customer, channel=Channel.STATEMENT,
            on=dt.date(2026, 11, 23),
        )  # fmt: skip
        queue(customer, attach_statement=True, action=action)
        queue(customer, n=1)  # no statement, no document
        assert deliver_outbox() == 2
        [document] = Document.objects.all()
        assert (document.action, document.kind) == (action, Document.Kind.STATEMENT)
        assert document.filename == "statement-ACC001-2026-11-23.pdf"
        assert bytes(document.content) == mail.outbox[0].attachments[0][1]

    def test_a_failure_is_retried_with_backoff_then_left_failed(self, customer, clock, monkeypatch):
        def refuse(self, fail_silently=False):
            raise smtplib.SMTPServerDisconnected("the mail server hung up")

        monkeypatch.setattr(outbox.EmailMessage, "send", refuse)
        message = queue(customer)
        for attempt, wait in enumerate((1, 5, 25, 125), start=1):
            assert outbox_deliver() == 0
            message.refresh_from_db()
            assert (message.status, message.attempts) == (Status.PENDING, attempt)
            assert message.next_attempt_at == dt.datetime.now(dt.UTC) + dt.timedelta(minutes=wait)
            assert "the mail server hung up" in message.last_error
            clock.shift(dt.timedelta(minutes=wait) - dt.timedelta(seconds=1))
            assert outbox_deliver() == 0  # not due yet: no attempt
            clock.shift(dt.timedelta(seconds=1))
        assert outbox_deliver() == 0
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.FAILED, 5)
        assert message.last_error.startswith("SMTPServerDisconnected: the mail server hung up")
        clock.shift(dt.timedelta(days=1))
        assert outbox_deliver() == 0
        message.refresh_from_db()
        assert message.attempts == 5

    def test_a_row_left_sending_goes_to_review_and_is_never_sent_again(self, customer, clock):
        message = queue(customer)
        outbox_claim(worker="dead")  # the worker stops here
        clock.shift(dt.timedelta(minutes=10))
        assert flag_stale_outbox(minutes=15) == 0
        clock.shift(dt.timedelta(minutes=6))
        assert flag_stale_outbox(minutes=15) == 1
        message.refresh_from_db()
        assert message.status == Status.REVIEW and "may or may not have gone" in message.last_error
        clock.shift(dt.timedelta(days=2))
        assert outbox_deliver() == 0 and outbox_flag_stale() == 0
        assert not mail.outbox

    def test_a_slow_send_flagged_meanwhile_is_still_recorded_as_sent(self, customer, clock):
        queue(customer)
        claimed = outbox_claim(worker="slow")
        clock.shift(dt.timedelta(minutes=20))
        assert outbox_flag_stale() == 1
        assert outbox_send(claimed) is True
        claimed.refresh_from_db()
        assert claimed.status == Status.SENT and len(mail.outbox) == 1

    def test_a_manager_resends_a_message_for_review_once(
        self, customer, manager, controller, outsider, clock, django_capture_on_commit_callbacks
    ):
        message = queue(customer)
        outbox_claim(worker="dead")
        clock.shift(dt.timedelta(hours=1))
        outbox_flag_stale()
        for user in (controller, outsider):
            with pytest.raises(PermissionDenied):
                outbox_resend(user=user, message=message)
        with django_capture_on_commit_callbacks(execute=True):
            resent = outbox_resend(user=manager, message=message)
        assert resent.attempts == 0
        message.refresh_from_db()
        assert message.status == Status.SENT and len(mail.outbox) == 1
        with pytest.raises(ValidationError, match="“sent” cannot be resent"):
            outbox_resend(user=manager, message=message)

    def test_a_manager_cancels_or_marks_sent(self, customer, manager, controller, clock):
        pending, failed = queue(customer, 1), queue(customer, 2)
        OutboxMessage.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=5)
        with pytest.raises(PermissionDenied):
            outbox_cancel(user=controller, message=pending)
        assert outbox_cancel(user=manager, message=pending).status == Status.CANCELLED
        with pytest.raises(ValidationError, match="“waiting to be sent” cannot be marked sent"):
            outbox_mark_sent(user=manager, message=queue(customer, 3))
        marked = outbox_mark_sent(user=manager, message=failed)
        assert (marked.status, marked.sent_at) == (Status.SENT, START)
        with pytest.raises(ValidationError, match="“sent” cannot be cancelled"):
            outbox_cancel(user=manager, message=failed)
        assert outbox_deliver() == 1  # only the third: the cancelled one stays unsent
        assert [m.subject for m in mail.outbox] == ["Reminder 3"]


# --- PostgreSQL: real concurrency and a real dead process -------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "EMAIL_BACKEND")}
    env.update(DJANGO_SETTINGS_MODULE="creditcontrol.settings", DATABASE_URL=_database_url(),
               **extra)  # fmt: skip
    return env


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(customer, monkeypatch):
    messages = [queue(customer, n) for n in range(30)]
    send = outbox.EmailMessage.send

    def slow_send(self, fail_silently=False):
        time.sleep(0.05)  # long enough for the two workers to interleave
        return send(self, fail_silently)

    monkeypatch.setattr(outbox.EmailMessage, "send", slow_send)
    start = threading.Barrier(2)
    counts = [0, 0]

    def work(n: int) -> None:
        start.wait()
        try:
            counts[n] = outbox_deliver()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 30 and all(counts)  # both took a share, none took one twice
    keys = sorted(m.extra_headers["X-Outbox-Key"] for m in mail.outbox)
    assert keys == sorted(m.key for m in messages)
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


DOOMED = """
import sys, time, django
django.setup()
from followups import outbox
message = outbox.outbox_claim(worker="doomed")
if sys.argv[1] == "after-send":
    outbox._send_email(message)
print(message.pk, flush=True)
time.sleep(600)
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("dies", ["before-send", "after-send"])
def test_a_worker_killed_between_claiming_and_marking_never_sends_twice(customer, tmp_path, dies):
    message = queue(customer)
    spool = tmp_path / "mail"
    env = _child_env(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                     EMAIL_FILE_PATH=str(spool))  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", DOOMED, dies], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert child.stdout.readline().strip() == str(message.pk)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    sent_by_child = len(list(spool.glob("*"))) if spool.exists() else 0
    assert sent_by_child == (1 if dies == "after-send" else 0)

    message.refresh_from_db()
    assert (message.status, message.claimed_by) == (Status.SENDING, "doomed")
    assert outbox_deliver() == 0  # a live worker does not touch it
    assert outbox_flag_stale(older_than=dt.timedelta(0)) == 1
    assert outbox_deliver() == 0
    message.refresh_from_db()
    assert message.status == Status.REVIEW
    assert not mail.outbox
    assert (len(list(spool.glob("*"))) if spool.exists() else 0) == sent_by_child


# --- A real Celery worker against Redis -------------------------------------------------


def _mail_sent(spool: Path) -> list[str]:
    return [line for f in spool.glob("*") for line in f.read_text().splitlines()
            if line.startswith("X-Outbox-Key:")]  # fmt: skip


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_beat_and_a_real_worker_run_the_schedule_and_send_the_automatic_email_once(
    company, manager, customer, tmp_path
):
    """Beat and a real worker on Redis, nothing called by hand: the company's run time has
    passed, so beat's schedule alone gets it its run, which proposes level 1 (automatic);
    the worker executes it and the outbox sends its email once. The next ticks and a
    second run send nothing."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real Redis for the Celery broker")
    from creditcontrol.celery import app
    from followups.engine import run_start
    from followups.models import FollowUpRun, Proposal
    from followups.plans import plan_for

    plan = plan_for(company)
    plan.run_at = dt.time(0, 0)  # due whatever the time of day the suite runs
    plan.save()
    today = company.today()
    ContactFactory(customer=customer, email="jo@bolt.example", is_credit_contact=True)
    # Due in three days: level 1 (five days before the due date, automatic) is due today.
    EntryFactory(customer=customer, document_date=today - dt.timedelta(days=27),
                 due_date=today + dt.timedelta(days=3))  # fmt: skip

    spool, log = tmp_path / "mail", tmp_path / "worker.log"
    env = _child_env(REDIS_URL=settings.REDIS_URL, EMAIL_FILE_PATH=str(spool),
                     EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                     FOLLOWUP_SCHEDULE_SECONDS="2")  # fmt: skip
    app.control.purge()  # nothing left over from an earlier run reaches this worker
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "creditcontrol", "worker", "-B", "--pool=solo",
             "--schedule", str(tmp_path / "beat-schedule"),
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"h4b-test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: _mail_sent(spool), "the automatic email", log)
        time.sleep(6)  # three more ticks of the daily schedule: nothing more
        first = FollowUpRun.objects.get(company=company)
        assert (first.trigger, first.status, first.proposals_created) == ("schedule", "done", 1)
        assert Proposal.objects.get().status == "executed"
        assert len(_mail_sent(spool)) == 1

        second = run_start(user=manager, company=company, trigger="web")
        wait_for(lambda: FollowUpRun.objects.filter(pk=second.pk, status="done").exists(),
                  "the second run", log)  # fmt: skip
        deliver_outbox.delay()
        time.sleep(3)  # time for anything the second run might wrongly have queued
        assert _mail_sent(spool) == [f"X-Outbox-Key: proposal:{Proposal.objects.get().pk}:email"]
        assert list(OutboxMessage.objects.values_list("status", "attempts")) == [(Status.SENT, 1)]
    finally:
        stop(worker)
