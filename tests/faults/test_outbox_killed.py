"""A real Celery worker killed with SIGKILL in the middle of an outbox batch, then a new
one started: every message reaches a real SMTP server once (issue 12, "fault tests").

The SMTP server (aiosmtpd, on one of our ports) stalls on the third message, so the kill
lands in the middle of the batch. Two moments are tried:

- *before-accept*: the worker has sent the third message and waits for the server's
  answer; the server never accepts it (the client is gone).
- *after-accept*: the server has accepted it (250) and the worker dies before recording
  that it went (the test holds the message's row lock, which the recording needs).

The guarantee (followups/outbox.py): the outbox sends each message **at most once by
itself**. The message a worker died on is left "sending"; after 15 minutes it goes to
review and the system never sends it again. The others of the batch go once: the batch's
task is redelivered (late acknowledgement, the broker's visibility timeout; beat's
delivery each minute would do the same). A manager then resends the message under review
or marks it sent. In the after-accept window the customer did get it, so a resend is a
second copy: it carries the *same Message-ID* (kept on the row before the first attempt),
which the receiving mail system and the customer's mail client can recognise as a
duplicate, and which the manager can look for in the mail server's log before deciding.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import html
import threading
import time

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from followups.models import OutboxMessage
from followups.outbox import outbox_enqueue, outbox_flag_stale
from followups.tasks import deliver_outbox
from tests.processes import (
    backends_waiting_on,
    celery_worker,
    child_env,
    free_port,
    kill_group,
    point_celery_at,
    redis_server,
    stop,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Status = OutboxMessage.Status
BATCH = 6
STALL_AT = 3
VISIBILITY_SECONDS = 5


class StallingServer:
    """An SMTP handler that keeps what it accepts and stalls on the ``STALL_AT``-th message
    until the test releases it; ``accept_stalled`` says whether it then accepts it."""

    def __init__(self, accept_stalled: bool):
        self.accept_stalled = accept_stalled
        self.accepted: list[str] = []  # Message-IDs, in the order accepted
        self.seen = 0
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        self.seen += 1
        if self.seen == STALL_AT:
            if self.accept_stalled:
                self.accepted.append(message_id)
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "250 OK" if self.accept_stalled else "451 4.3.0 Try again later"
        self.accepted.append(message_id)
        return "250 OK"


@pytest.fixture
def broker():
    with redis_server() as url:
        restore = point_celery_at(url)
        try:
            yield url
        finally:
            restore()


def lock_connection():
    s = connection.settings_dict
    return psycopg2.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                            host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)  # fmt: skip


@pytest.mark.parametrize("moment", ["before-accept", "after-accept"])
def test_a_worker_killed_in_the_middle_of_an_outbox_batch_sends_each_message_once(
    customer, manager, client, broker, tmp_path, moment
):
    from aiosmtpd.controller import Controller

    batch = [
        outbox_enqueue(company=customer.company, customer=customer, kind="email",
                       key=f"fault:{n}", to=[f"accounts{n}@bolt.example"],
                       subject=f"Reminder {n}", body="Please pay.", as_of=dt.date.today())
        for n in range(BATCH)
    ]  # fmt: skip
    smtp = StallingServer(accept_stalled=moment == "after-accept")
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    log = tmp_path / "workers.log"
    env = child_env(REDIS_URL=broker, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
                    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                    EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))  # fmt: skip
    held = lock_connection()
    doomed = celery_worker(env, log, "doomed")
    try:
        deliver_outbox.delay()  # what executing proposals (or beat, each minute) does
        wait_for(smtp.stalled.is_set, "the third message to reach the server", log)
        stalled = OutboxMessage.objects.get(status=Status.SENDING)
        assert stalled == batch[STALL_AT - 1]
        if moment == "after-accept":
            with held.cursor() as cursor:
                # The recording of "sent" needs the row: the worker dies waiting for it.
                cursor.execute("SELECT 1 FROM followups_outboxmessage WHERE id = %s FOR UPDATE",
                               [stalled.pk])  # fmt: skip
                smtp.release.set()
                wait_for(lambda: backends_waiting_on(cursor, "followups_outboxmessage"),
                         "the worker to record the accepted message", log)  # fmt: skip
                kill_group(doomed)
            held.rollback()
        else:
            kill_group(doomed)
        smtp.release.set()
        killed_at = time.monotonic()
        before = sorted(OutboxMessage.objects.values_list("key", "status"))
        assert before == sorted(
            [(m.key, Status.SENT) for m in batch[: STALL_AT - 1]]
            + [(stalled.key, Status.SENDING)]
            + [(m.key, Status.PENDING) for m in batch[STALL_AT:]]
        )

        worker = celery_worker(env, log, "restarted")
        try:
            wait_for(lambda: OutboxMessage.objects.filter(status=Status.SENT).count()
                     == BATCH - 1, "the rest of the batch, redelivered", log)  # fmt: skip
            redelivered_after = time.monotonic() - killed_at
            # The one the worker died on is not sent again by itself, however often the
            # delivery runs; a quarter of an hour later (beat) it goes to review.
            deliver_outbox.delay()
            time.sleep(2)
            stalled.refresh_from_db()
            assert stalled.status == Status.SENDING
            assert outbox_flag_stale(older_than=dt.timedelta(0)) == 1
            stalled.refresh_from_db()
            assert stalled.status == Status.REVIEW and "may or may not have gone" in (
                stalled.last_error
            )
            ids = {m.pk: m.message_id for m in OutboxMessage.objects.all()}
            others = [ids[m.pk] for m in batch if m.pk != stalled.pk]
            assert sorted(smtp.accepted) == sorted(
                others + ([ids[stalled.pk]] if moment == "after-accept" else [])
            )  # each once; the stalled one once if the server accepted it, else not yet

            # A manager sees it on the outbox page, with the Message-ID to look for in the
            # mail server's log, and resends it.
            client.force_login(manager)
            page = client.get(reverse("followups:outbox")).content.decode()
            assert f"message-{stalled.pk}" in page and html.escape(ids[stalled.pk]) in page
            response = client.post(reverse("followups:outbox-act", args=[stalled.pk, "resend"]))
            assert response.status_code == 302
            wait_for(lambda: OutboxMessage.objects.filter(status=Status.SENT).count() == BATCH,
                     "the resent message", log)  # fmt: skip
        finally:
            stop(worker)
    finally:
        if doomed.poll() is None:
            kill_group(doomed)
        smtp.release.set()
        held.close()
        controller.stop()

    assert redelivered_after < VISIBILITY_SECONDS + 60, redelivered_after
    received = sorted(smtp.accepted)
    if moment == "before-accept":
        assert received == sorted(ids.values())  # every message exactly once
    else:
        # Accepted, then resent by a person: the second copy has the same Message-ID.
        assert received == sorted([*ids.values(), ids[stalled.pk]])
        assert len(set(received)) == BATCH
    assert all(mid and mid.startswith("<") for mid in ids.values())
