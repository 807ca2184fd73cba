"""Invoice copies: the PDF of a ledger entry, uploaded by the integrator or in the browser.

Decisions:
- PDF only, checked by its first bytes (``%PDF-``), not by the name or the declared type;
  at most ``ENTRY_DOCUMENT_MAX_BYTES`` (10 MB by default).
- Stored through Django's default storage (the file system under MEDIA_ROOT; any
  django-storages backend by ``STORAGES["default"]``). Never served from a public URL: the
  application streams it to those who may see the entry (``visible_to``) and to the
  customer's self-service page.
- A new upload replaces the entry's document; the old file is deleted after the commit.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import AuditEvent, Company, EntryDocument, LedgerEntry
from .services import can_work_customers_or_sync, require_company

PDF_MAGIC = b"%PDF-"


def max_bytes() -> int:
    return int(getattr(settings, "ENTRY_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def pdf_bytes(upload: IO[bytes] | bytes) -> bytes:
    """The upload's bytes once checked to be a PDF within the size limit."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if getattr(upload, "size", 0) and upload.size > max_bytes():
            raise ValidationError({"file": _too_big()})
        data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ValidationError({"file": _too_big()})
    if not data.startswith(PDF_MAGIC):
        raise ValidationError({"file": _("Only a PDF can be kept as an entry's document.")})
    return data


def _too_big() -> str:
    return _("The document is larger than %(megabytes)d MB.") % {
        "megabytes": max_bytes() // (1024 * 1024)
    }


def _clean_name(name: str, fallback: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:150]
    return name if name.lower().endswith(".pdf") else f"{fallback}.pdf"


def _store(company: Company, data: bytes, name: str, user: Any) -> EntryDocument:
    doc = EntryDocument(company=company, filename=name, size=len(data),
                        uploaded_by=user if getattr(user, "pk", None) else None)  # fmt: skip
    doc.file.save(name, ContentFile(data), save=False)
    doc.save()
    return doc


@transaction.atomic
def entry_document_set(*, user: Any, entry: LedgerEntry, upload: IO[bytes] | bytes,
                       filename: str = "", source: str = "web") -> EntryDocument:  # fmt: skip
    """Keep ``upload`` as the entry's document (replacing any earlier one)."""
    require_company(user, entry.company, check=can_work_customers_or_sync)
    data = pdf_bytes(upload)
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    old = EntryDocument.objects.filter(entry=entry).first()
    if old is not None:
        old.entry = None
        old.save(update_fields=["entry"])
        old_file = old.file.name
        old.delete()
        transaction.on_commit(lambda: EntryDocument.file.field.storage.delete(old_file))
    doc = _store(entry.company, data, _clean_name(filename, entry.document_no), user)
    doc.entry = entry
    doc.save(update_fields=["entry"])
    audit_record(user=user, obj=entry, action=AuditEvent.Action.UPDATE, source=source,
                 before={}, after={"invoice_copy": doc.filename, "invoice_copy_bytes": doc.size})  # fmt: skip
    return doc


@transaction.atomic
def entry_document_upload(*, user: Any, company: Company, upload: IO[bytes] | bytes,
                          filename: str = "") -> EntryDocument:  # fmt: skip
    """Keep a PDF not yet tied to an entry; the sync attaches it by its ``ref``."""
    require_company(user, company, check=can_work_customers_or_sync)
    return _store(company, pdf_bytes(upload), _clean_name(filename, "document"), user)


def entry_document_attach_ref(*, entry: LedgerEntry, ref: Any) -> EntryDocument:
    """Attach the unattached upload ``ref`` of the entry's company (called by the sync, in
    its transaction, after its own access check)."""
    doc = EntryDocument.objects.filter(company_id=entry.company_id, ref=ref).first()
    if doc is None:
        raise ValidationError({"document_ref": _("No uploaded document %(ref)s.") % {"ref": ref}})
    if doc.entry_id == entry.pk:
        return doc
    if doc.entry_id is not None:
        raise ValidationError(
            {"document_ref": _("Document %(ref)s belongs to another entry.") % {"ref": ref}}
        )
    EntryDocument.objects.filter(entry=entry).exclude(pk=doc.pk).delete()
    doc.entry = entry
    doc.save(update_fields=["entry"])
    return doc


def entry_document_bytes(doc: EntryDocument) -> bytes:
    with doc.file.open("rb") as f:
        return f.read()
