"""The reply mailbox poller: IMAPS with Python's ``imaplib``.

1. Connect with TLS (``IMAP4_SSL``), verifying the server's certificate against the
   system's CAs or ``INBOUND_IMAP_CAFILE`` (a self-signed server), and log in.
2. Search the folder for messages not yet ``\\Seen``; fetch them in batches of
   ``BATCH`` (``BODY.PEEK[]``, so a failure leaves them unseen for the next poll).
3. Take each (``inbound.services.inbound_take``, once per Message-ID whatever happens),
   then flag the batch ``\\Seen``. A message that fails to be taken is logged and left
   unseen, so the next poll tries it again; a crash between taking and flagging only
   means the next poll finds it recorded already.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from django.conf import settings

from .services import inbound_take

logger = logging.getLogger(__name__)
BATCH = 100
UID_RE = re.compile(rb"UID (\d+)")


@dataclass
class PollResult:
    seen: int = 0
    new: int = 0
    failed: int = 0


def _context() -> ssl.SSLContext:
    cafile = settings.INBOUND_IMAP_CAFILE or None
    return ssl.create_default_context(cafile=cafile)


def poll(*, limit: int = 5000) -> PollResult:
    """Take up to ``limit`` unseen messages from the configured mailbox."""
    result = PollResult()
    if not settings.INBOUND_IMAP_HOST:
        return result
    with imaplib.IMAP4_SSL(settings.INBOUND_IMAP_HOST, settings.INBOUND_IMAP_PORT,
                           ssl_context=_context(), timeout=60) as box:  # fmt: skip
        box.login(settings.INBOUND_IMAP_USER, settings.INBOUND_IMAP_PASSWORD)
        box.select(settings.INBOUND_IMAP_FOLDER)
        _typ, data = box.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:limit]
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            _typ, fetched = box.uid("FETCH", b",".join(batch), "(UID BODY.PEEK[])")
            done = []
            for item in fetched:
                if not isinstance(item, tuple):
                    continue
                uid = _uid(item[0])
                result.seen += 1
                try:
                    _record, new = inbound_take(item[1], source="imap")
                except Exception:
                    logger.exception("Reply mailbox: message UID %s not taken", uid)
                    result.failed += 1
                    continue
                result.new += new
                done.append(uid)
            done = [uid for uid in done if uid]
            if done:
                box.uid("STORE", b",".join(done), "+FLAGS.SILENT", r"(\Seen)")
        box.logout()
    return result


def _uid(head: bytes) -> bytes:
    found = UID_RE.search(head)
    return found.group(1) if found else b""
