"""What every outgoing message carries to reach the customer and let it answer.

- a Message-ID, kept on the outbox row so that a reply's In-Reply-To finds it;
- a Reply-To of ``credit+<reply_code>@<domain>`` that names the customer
  (``communications.links``), so a reply is matched even when the headers are lost;
- the self-service link under the text, in the customer's language;
- the PDF copies of the entries' invoices, when the level (or the controller) asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid

from communications.links import link_for, link_url, reply_address, reply_domain
from ledger.entry_documents import entry_document_bytes
from ledger.models import Customer, EntryDocument

from .languages import in_language, portal_footer
from .models import OutboxMessage


@dataclass(frozen=True)
class Envelope:
    headers: dict[str, str]
    reply_to: list[str]
    footer: str


def portal_url(customer: Customer) -> str:
    return link_url(link_for(customer))


def envelope(message: OutboxMessage) -> Envelope:
    """The headers, Reply-To and footer of the message; its Message-ID is saved first, so a
    retry goes out with the same one."""
    if not message.message_id:
        message.message_id = make_msgid(domain=reply_domain())
        OutboxMessage.objects.filter(pk=message.pk).update(message_id=message.message_id)
    link = link_for(message.customer)
    with in_language(message.customer):
        footer = portal_footer(link_url(link))
    headers = {"X-Outbox-Key": message.key, "Message-ID": message.message_id}
    return Envelope(headers=headers, reply_to=[reply_address(link)], footer=footer)


def invoice_copies(message: OutboxMessage) -> list[tuple[str, bytes]]:
    """The file name and bytes of each of the message's entries' documents."""
    docs = EntryDocument.objects.filter(entry__in=message.entries.all()).select_related("entry")
    return [
        (f"{doc.entry.document_no}.pdf".replace("/", "-"), entry_document_bytes(doc))
        for doc in docs.order_by("entry__due_date", "entry_id")
    ]
