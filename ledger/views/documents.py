"""An entry's document (invoice copy) in the browser: upload (PDF only) and download, for
those who may see the entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from creditcontrol.roles import role_required

from ..entry_documents import entry_document_set
from ..models import EntryDocument, LedgerEntry


def _entry(request, entry_id: int) -> LedgerEntry:
    return get_object_or_404(LedgerEntry.objects.visible_to(request.user), pk=entry_id)


@role_required
@require_POST
def document_upload(request, entry_id: int):
    entry = _entry(request, entry_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose the PDF to upload."))
        entry_document_set(user=request.user, entry=entry, upload=upload, filename=upload.name)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The document of %(document_no)s was saved.") % {"document_no": entry.document_no},
        )
    return redirect(reverse("communications:entry-detail", args=[entry.pk]) + "#document")


@role_required
@require_http_methods(["GET"])
def document_download(request, entry_id: int):
    entry = _entry(request, entry_id)
    doc = EntryDocument.objects.filter(entry=entry).first()
    if doc is None:
        raise Http404
    return FileResponse(doc.file.open("rb"), content_type="application/pdf",
                        filename=doc.filename)  # fmt: skip
