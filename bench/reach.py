"""Issue 14's figures with real components on loopback, one command each:

    .venv/bin/python bench/reach.py reminder [--repeat 5] [--smtp-port 18410]
    .venv/bin/python bench/reach.py replies  [--count 1000] [--imap-port 18411]

``reminder``: render and send one reminder with its statement and three invoice copies —
the execution (levels, history, communication, outbox row), then the outbox delivery: the
statement PDF (WeasyPrint), the email built in the customer's language (German) with the
self-service link and the copies attached, sent over SMTP to an aiosmtpd server started
here. The first send (WeasyPrint and its fonts loading) is reported apart from the steady
state (median and max of ``--repeat`` more).

``replies``: ``--count`` replies delivered to a private Dovecot (IMAPS, self-signed
certificate, as ``tests/servers.py`` starts it; dovecot-imapd must be installed), then one
run of the poller (``inbound.imap.poll``) that takes them in: each matched to its customer,
recorded as a communication with a to-do, once.

Both run on a database of their own: a fresh SQLite file in a temporary directory unless
``DATABASE_URL`` names another (use a scratch PostgreSQL database: the tables are written).
Print the load average (``uptime``) beside the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'reach.sqlite3'}")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("migrate", verbosity=0)


def _people():
    from creditcontrol import roles
    from tests.factories import CompanyFactory, CustomerFactory, user_in

    company = CompanyFactory(code="RHEIN", name="Rheinland Handel GmbH", base_currency="EUR",
                             language="de")  # fmt: skip
    controller = user_in(company, roles.CONTROLLER, username="bench_carol")
    customer = CustomerFactory(company=company, name="Kunde Größ GmbH", currency="EUR",
                               language="de", controller=controller)  # fmt: skip
    return company, controller, customer


def reminder(args: argparse.Namespace) -> dict:
    from django.conf import settings

    from followups.execution import proposal_execute
    from followups.outbox import outbox_deliver
    from followups.plans import plan_for
    from ledger.entry_documents import entry_document_set
    from tests.factories import ContactFactory, EntryFactory, proposal_with_lines
    from tests.reach_helpers import tiny_pdf
    from tests.servers import smtp_server

    company, controller, customer = _people()
    ContactFactory(customer=customer, first_name="Jürgen", last_name="Größ",
                   email="juergen@kunde.example", is_credit_contact=True)  # fmt: skip
    level = plan_for(company).levels.get(sequence=2)
    level.attach_invoice_copies = True
    level.save()
    entries = [EntryFactory(customer=customer, document_no=f"RE-{n}", amount="1234.50",
                            due_date=company.today() - dt.timedelta(days=20))
               for n in (1, 2, 3)]  # fmt: skip
    for entry in entries:
        entry_document_set(user=controller, entry=entry, upload=tiny_pdf(entry.document_no),
                           filename=f"{entry.document_no}.pdf")  # fmt: skip
    times = []
    with smtp_server(port=args.smtp_port) as (smtp, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.hostname, smtp.port
        settings.EMAIL_USE_TLS = False
        for _n in range(args.repeat + 1):
            proposal = proposal_with_lines(customer, 2, [(e, 2) for e in entries],
                                           run_date=company.today())  # fmt: skip
            started = time.perf_counter()
            proposal_execute(user=controller, proposal=proposal)
            outbox_deliver()
            times.append(time.perf_counter() - started)
        received = len(handler.messages)
        attachments = _attachments(handler.messages[-1].original_content)
    if received != args.repeat + 1:
        raise SystemExit(f"SMTP received {received} messages, expected {args.repeat + 1}")
    steady = times[1:]
    return {
        "figure": "reminder with statement and 3 invoice copies, rendered and sent over SMTP",
        "first_s": round(times[0], 3),
        "median_s": round(statistics.median(steady), 3),
        "max_s": round(max(steady), 3),
        "repeat": args.repeat,
        "attachments": attachments,
    }


def _attachments(raw: bytes) -> list[str]:
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return [part.get_filename() for part in msg.iter_attachments()]


def replies(args: argparse.Namespace) -> dict:
    from django.conf import settings

    from communications.links import link_for, reply_address
    from inbound.imap import poll
    from inbound.models import InboundMessage
    from tests.reach_helpers import email_bytes
    from tests.servers import Dovecot, dovecot_server

    if not Dovecot.available():
        raise SystemExit("dovecot-imapd is not installed (apt-get install dovecot-imapd)")
    _company, _controller, customer = _people()
    to = reply_address(link_for(customer))
    raws = [email_bytes(sender=f"ap{n}@kunde.example", to=to, subject=f"Re: Mahnung {n}",
                        message_id=f"<bench-{n}@kunde.example>",
                        body=f"Antwort {n}: bezahlt am {dt.date(2026, 11, n % 28 + 1)}")
            for n in range(args.count)]  # fmt: skip
    with dovecot_server(port=args.imap_port) as mailbox:
        settings.INBOUND_IMAP_HOST = "127.0.0.1"
        settings.INBOUND_IMAP_PORT = mailbox.port
        settings.INBOUND_IMAP_USER = mailbox.user
        settings.INBOUND_IMAP_PASSWORD = mailbox.password
        settings.INBOUND_IMAP_CAFILE = mailbox.cafile
        delivered = time.perf_counter()
        mailbox.deliver(*raws)
        delivered = time.perf_counter() - delivered
        started = time.perf_counter()
        result = poll()
        seconds = time.perf_counter() - started
    recorded = InboundMessage.objects.filter(kind="reply").count()
    if (result.new, result.failed, recorded) != (args.count, 0, args.count):
        raise SystemExit(f"poll took {result.new} new, {result.failed} failed; {recorded} recorded")
    return {
        "figure": f"{args.count:,} replies taken in from the IMAP box by the poller",
        "seconds": round(seconds, 2),
        "per_second": round(args.count / seconds),
        "delivery_to_dovecot_s": round(delivered, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("reminder", help="one reminder with three invoice copies over SMTP")
    one.add_argument("--repeat", type=int, default=5)
    one.add_argument("--smtp-port", type=int, default=18410)
    many = sub.add_parser("replies", help="replies taken in from a real IMAP box")
    many.add_argument("--count", type=int, default=1000)
    many.add_argument("--imap-port", type=int, default=18411)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cc-reach-bench-") as tmp:
        _django(Path(tmp))
        result = reminder(args) if args.what == "reminder" else replies(args)
    result["load_average"] = [round(n, 2) for n in os.getloadavg()]
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
