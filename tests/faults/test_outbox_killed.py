"""A real Celery worker killed with SIGKILL in the middle of an outbox batch, then a new
one started, twice: every message reaches a real SMTP server once (issue 12, "fault
tests").

The SMTP server (aiosmtpd, on one of our ports) stalls on chosen messages, so each kill
lands in the middle of the batch, at one of the two moments that matter:

- message 3, *before it is accepted*: the worker has sent it and waits for the server's
  answer; the server never accepts it (the client is gone);
- message 5, *after it is accepted*: the server answered 250 and the worker dies before
  recording that it went (the test holds the message's row lock, which the recording
  needs, and kills the worker once PostgreSQL shows it waiting).

The guarantee (followups/outbox.py, README "What the outbox guarantees"): the outbox sends
each message **at most once by itself**. The message a worker died on is left "sending";
after 15 minutes it goes to review and the system never sends it again. The rest of the
batch goes once: the batch's task is redelivered to the next worker (late acknowledgement
and the broker's visibility timeout; beat's delivery each minute would do the same). A
manager then resends the message under review, or marks it sent. In the after-accept
window the customer did get it, so a resend is a second copy: it carries the *same
Message-ID* (kept on the row before the first attempt), which the receiving mail system
and the customer's mail client can recognise, and which the outbox page shows so that the
manager can look for it in the mail server's log before deciding.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import html
import threading
import time

import pytest
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
    own_connection,
    stop,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Status = OutboxMessage.Status
BATCH = 8
REFUSED, ACCEPTED = 3, 5  # the messages the server stalls on, and what it then does
VISIBILITY_SECONDS = 5


class StallingServer:
    """An SMTP handler that keeps the Message-ID of what it accepts and stalls on the
    messages ``REFUSED`` and ``ACCEPTED`` (in the order received) until released."""

    def __init__(self):
        self.accepted: list[str] = []
        self.seen = 0
        self.stalled = {n: threading.Event() for n in (REFUSED, ACCEPTED)}
        self.release = {n: threading.Event() for n in (REFUSED, ACCEPTED)}

    async def handle_DATA(self, server, session, envelope):
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        self.seen += 1
        n = self.seen
        if n == ACCEPTED:
            self.accepted.append(message_id)
        if n in self.stalled:
            self.stalled[n].set()
            await asyncio.get_running_loop().run_in_executor(None, self.release[n].wait)
            return "451 4.3.0 Try again later" if n == REFUSED else "250 OK"
        self.accepted.append(message_id)
        return "250 OK"

    def let_go(self) -> None:
        for event in self.release.values():
            event.set()


def statuses() -> dict[str, str]:
    return dict(OutboxMessage.objects.values_list("key", "status"))


def test_workers_killed_in_the_middle_of_an_outbox_batch_send_each_message_once(
    customer, manager, client, broker, tmp_path
):
    from aiosmtpd.controller import Controller

    batch = [
        outbox_enqueue(company=customer.company, customer=customer, kind="email",
                       key=f"fault:{n}", to=[f"accounts{n}@bolt.example"],
                       subject=f"Reminder {n}", body="Please pay.", as_of=dt.date.today())
        for n in range(1, BATCH + 1)
    ]  # fmt: skip
    refused, accepted = batch[REFUSED - 1], batch[ACCEPTED - 1]
    smtp = StallingServer()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    log = tmp_path / "workers.log"
    env = child_env(REDIS_URL=broker, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
                    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                    EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))  # fmt: skip
    held = own_connection()
    workers = [celery_worker(env, log, "first")]
    try:
        deliver_outbox.delay()  # what executing proposals (or beat, each minute) does

        # 1. Killed while waiting for the server to accept message 3.
        wait_for(smtp.stalled[REFUSED].is_set, "message 3 to reach the server", log)
        kill_group(workers[0])
        smtp.release[REFUSED].set()
        killed_at = time.monotonic()
        assert statuses() == {m.key: Status.SENT if m in batch[:2] else
                              Status.SENDING if m == refused else Status.PENDING
                              for m in batch}  # fmt: skip

        # 2. The batch comes back to a new worker: killed after the server accepted 5.
        workers.append(celery_worker(env, log, "second"))
        wait_for(smtp.stalled[ACCEPTED].is_set, "the batch, redelivered, to reach 5", log)
        redelivered_after = time.monotonic() - killed_at
        with held.cursor() as cursor:
            # Recording "sent" needs the row: the worker dies waiting for it.
            cursor.execute("SELECT 1 FROM followups_outboxmessage WHERE id = %s FOR UPDATE",
                           [accepted.pk])  # fmt: skip
            smtp.release[ACCEPTED].set()
            wait_for(lambda: backends_waiting_on(cursor, "followups_outboxmessage"),
                     "the worker to record message 5", log)  # fmt: skip
            kill_group(workers[1])
        held.rollback()

        # 3. A third worker sends the rest; the two it died on are never sent by themselves.
        workers.append(celery_worker(env, log, "third"))
        wait_for(lambda: list(statuses().values()).count(Status.SENT) == BATCH - 2,
                 "the rest of the batch", log)  # fmt: skip
        deliver_outbox.delay()
        time.sleep(2)
        assert {statuses()[m.key] for m in (refused, accepted)} == {Status.SENDING}
        ids = dict(OutboxMessage.objects.values_list("key", "message_id"))
        assert sorted(smtp.accepted) == sorted(
            ids[m.key] for m in batch if m != refused
        )  # each once; 5 too, which the server accepted; not 3

        # 4. A quarter of an hour later (beat) both go to review; a manager sees them with
        #    their Message-IDs on the outbox page and resends them.
        assert outbox_flag_stale(older_than=dt.timedelta(0)) == 2
        client.force_login(manager)
        page = client.get(reverse("followups:outbox")).content.decode()
        for message in (refused, accepted):
            assert f'id="message-{message.pk}"' in page and html.escape(ids[message.key]) in page
            response = client.post(reverse("followups:outbox-act", args=[message.pk, "resend"]))
            assert response.status_code == 302
        wait_for(lambda: list(statuses().values()).count(Status.SENT) == BATCH,
                 "the two resent messages", log)  # fmt: skip
    finally:
        for worker in workers:
            if worker.poll() is None:
                stop(worker)
        smtp.let_go()
        held.close()
        controller.stop()

    assert redelivered_after < VISIBILITY_SECONDS + 60, redelivered_after
    # Every message once; 5, accepted before its worker died and resent by a person, twice
    # with one Message-ID that tells the copies apart from two messages.
    assert sorted(smtp.accepted) == sorted([*ids.values(), ids[accepted.key]])
    assert len(set(smtp.accepted)) == BATCH and all(mid.startswith("<") for mid in ids.values())
