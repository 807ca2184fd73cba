"""Reading a raw email: who it is from and to, what it answers, its text and attachments,
and whether it is an automatic reply or a bounce (RFC 3834, RFC 3464)."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

MSGID_RE = re.compile(r"<[^<>\s]+>")
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|abwesenheit"
    r"|automatische antwort|réponse automatique|absence)", re.IGNORECASE,
)  # fmt: skip
MAX_TEXT = 20000
HEADER_ID_RE = re.compile(r"(?im)^message-id:.*$")


@dataclass
class Parsed:
    message_id: str
    sender: str
    recipients: list[str]
    subject: str
    text: str
    in_reply_to: list[str]
    references: list[str]
    is_auto: bool
    is_bounce: bool
    failed_recipients: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


def _ids(value: str | None) -> list[str]:
    return MSGID_RE.findall(value or "")


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError):
        text = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return text.strip()[:MAX_TEXT]


def _is_auto(msg: EmailMessage) -> bool:
    auto = (msg.get("Auto-Submitted") or "no").strip().lower()
    precedence = (msg.get("Precedence") or "").strip().lower()
    return (
        auto != "no"
        or bool(msg.get("X-Autoreply") or msg.get("X-Autorespond"))
        or precedence in ("auto_reply", "bulk", "junk", "list")
        or bool(AUTO_SUBJECT_RE.match(str(msg.get("Subject") or "")))
    )


def _bounce(msg: EmailMessage) -> tuple[bool, list[str], list[str]]:
    """Whether it is a delivery failure; the failed addresses; the bounced message's ids."""
    failed = [a for _n, a in getaddresses(msg.get_all("X-Failed-Recipients", []))]
    report = (
        msg.get_content_type() == "multipart/report"
        and (msg.get_param("report-type") or "").lower() == "delivery-status"
    )
    sender = parseaddr(str(msg.get("From") or ""))[1].lower()
    daemon = sender.startswith(("mailer-daemon@", "postmaster@"))
    original_ids: list[str] = []
    if report or daemon:
        for part in msg.walk():
            ctype = part.get_content_type()
            if ctype == "message/delivery-status":
                for block in part.get_payload():
                    for key in ("Final-Recipient", "Original-Recipient"):
                        value = str(block.get(key) or "")
                        if ";" in value:
                            failed.append(value.split(";", 1)[1].strip())
            elif ctype in ("message/rfc822", "text/rfc822-headers"):
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                if hasattr(inner, "get"):
                    original_ids += _ids(inner.get("Message-ID"))
                else:
                    found = HEADER_ID_RE.search(str(inner))
                    original_ids += _ids(found.group(0) if found else "")
    failed = sorted({a.strip().lower() for a in failed if "@" in a})
    return bool(report or (daemon and failed)), failed, original_ids


def parse(raw: bytes) -> Parsed:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    ids = _ids(msg.get("Message-ID"))
    # A message without an id is still taken once: its content's hash stands in.
    message_id = ids[0] if ids else f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    recipients = [a.lower() for _n, a in getaddresses(
        [str(v) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
         for v in msg.get_all(h, [])]
    ) if a]  # fmt: skip
    is_bounce, failed, original_ids = _bounce(msg)
    attachments = []
    if not is_bounce:
        for part in msg.iter_attachments():
            name = part.get_filename() or "attachment"
            data = part.get_payload(decode=True) or b""
            attachments.append((name[:150], part.get_content_type()[:100], data))
    return Parsed(
        message_id=message_id[:250],
        sender=parseaddr(str(msg.get("From") or ""))[1].lower()[:254],
        recipients=recipients, subject=str(msg.get("Subject") or "")[:200],
        text=_text(msg), in_reply_to=_ids(msg.get("In-Reply-To")) + original_ids,
        references=_ids(msg.get("References")), is_auto=_is_auto(msg) and not is_bounce,
        is_bounce=is_bounce, failed_recipients=failed, attachments=attachments,
    )  # fmt: skip
