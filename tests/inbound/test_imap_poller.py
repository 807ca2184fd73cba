"""The reply mailbox poller against a real Dovecot (IMAPS, self-signed certificate), started
by the test on a free port; skipped when Dovecot is not installed. Beat's schedule carries
the poller. The 1,000-reply figure is printed for the issue's note."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from communications.links import link_for, reply_address
from communications.models import ToDo
from creditcontrol.celery import app
from inbound.imap import poll
from inbound.models import InboundMessage
from tests.factories import ContactFactory
from tests.reach_helpers import email_bytes, tiny_pdf
from tests.servers import Dovecot, dovecot_server

pytestmark = pytest.mark.skipif(not Dovecot.available(), reason="dovecot-imapd is not installed")


@pytest.fixture(scope="module")
def mailbox():
    with dovecot_server() as server:
        yield server


@pytest.fixture
def imap_settings(settings, mailbox, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INBOUND_IMAP_HOST = "127.0.0.1"
    settings.INBOUND_IMAP_PORT = mailbox.port
    settings.INBOUND_IMAP_USER = mailbox.user
    settings.INBOUND_IMAP_PASSWORD = mailbox.password
    settings.INBOUND_IMAP_CAFILE = mailbox.cafile
    return settings


def _empty(mailbox) -> None:
    with mailbox.client() as box:
        _typ, count = box.select("INBOX")
        if int(count[0]):
            box.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            box.expunge()
        box.logout()


def test_beat_schedule_polls_the_mailbox_every_minute():
    entry = app.conf.beat_schedule["poll-reply-mailbox"]
    assert entry["task"] == "inbound.tasks.poll_mailbox" and entry["schedule"] == 60.0
    from inbound.tasks import poll_mailbox

    assert poll_mailbox.name == entry["task"]


@pytest.mark.django_db
def test_poller_takes_replies_over_imaps_once_and_marks_them_seen(mailbox, imap_settings,
                                                                  customer, controller):  # fmt: skip
    _empty(mailbox)
    customer.controller = controller
    customer.save()
    ContactFactory(customer=customer, email="jo@bolt.example")
    to = reply_address(link_for(customer))
    mailbox.deliver(
        email_bytes(sender="jo@bolt.example", to=to, message_id="<r1@bolt.example>",
                    attachments=[("remittance.pdf", tiny_pdf())]),
        email_bytes(sender="jo@bolt.example", to=to, message_id="<r2@bolt.example>",
                    subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
    )  # fmt: skip
    result = poll()
    assert (result.seen, result.new, result.failed) == (2, 2, 0)
    kinds = dict(InboundMessage.objects.values_list("message_id", "kind"))
    assert kinds == {"<r1@bolt.example>": "reply", "<r2@bolt.example>": "auto_reply"}
    assert ToDo.objects.replies_unhandled().count() == 1
    assert poll().seen == 0  # flagged \Seen: not fetched again
    with mailbox.client() as box:  # and fetched again by hand, still recorded once
        box.select("INBOX")
        box.store("1:*", "-FLAGS.SILENT", r"(\Seen)")
        box.logout()
    again = poll()
    assert (again.seen, again.new) == (2, 0)
    assert InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_poller_refuses_a_server_whose_certificate_it_does_not_trust(mailbox, imap_settings):
    import ssl

    imap_settings.INBOUND_IMAP_CAFILE = ""
    with pytest.raises(ssl.SSLError):
        poll()


@pytest.mark.django_db
def test_thousand_replies_from_the_imap_box(mailbox, imap_settings, customer, controller,
                                            capsys):  # fmt: skip
    _empty(mailbox)
    customer.controller = controller
    customer.save()
    to = reply_address(link_for(customer))
    raws = [email_bytes(sender=f"ap{n}@bolt.example", to=to, message_id=f"<bulk-{n}@bolt.example>",
                        subject=f"Re: reminder {n}", body=f"Reply {n}: paid on {dt.date(2026, 11, n % 28 + 1)}")
            for n in range(1000)]  # fmt: skip
    mailbox.deliver(*raws)
    started = time.perf_counter()
    result = poll()
    seconds = time.perf_counter() - started
    assert (result.seen, result.new, result.failed) == (1000, 1000, 0)
    assert InboundMessage.objects.filter(kind="reply").count() == 1000
    figure = f"1,000 replies taken from the IMAP box in {seconds:.1f} s ({1000 / seconds:.0f}/s)"
    with capsys.disabled():
        print(f"\n[figure] {figure}")  # noqa: T201
