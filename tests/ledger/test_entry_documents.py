"""Invoice copies: uploaded by the integrator (PUT raw or multipart, or ahead of the entry),
in the browser; PDF only, size-limited; read only by those who may see the entry."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.entry_documents import entry_document_attach_ref
from ledger.models import EntryDocument
from tests.conftest import api_as
from tests.factories import EntryFactory
from tests.reach_helpers import tiny_pdf


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_integrator_puts_a_raw_pdf_and_reads_it_back(integrator, customer):
    entry = EntryFactory(customer=customer, document_no="INV-7")
    api = api_as(integrator)
    url = f"/api/v1/ledger-entries/{entry.pk}/document/"
    assert api.get(url).status_code == 404
    put = api.put(url, tiny_pdf(), content_type="application/pdf", HTTP_X_FILENAME="INV-7.pdf")
    assert put.status_code == 200, put.content
    assert put.json()["filename"] == "INV-7.pdf" and put.json()["entry"] == entry.pk
    got = api.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF-")
    # A second upload replaces the first.
    api.put(url, {"file": SimpleUploadedFile("v2.pdf", tiny_pdf("v2"))}, format="multipart")
    assert EntryDocument.objects.get().filename == "v2.pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "message"), [
    (b"GIF89a not a pdf", "Only a PDF"), (b"%PDF-" + b"0" * 2048, "larger than"),
])  # fmt: skip
def test_not_a_pdf_or_too_large_is_refused(integrator, customer, settings, content, message):
    settings.ENTRY_DOCUMENT_MAX_BYTES = 1024
    entry = EntryFactory(customer=customer)
    put = api_as(integrator).put(f"/api/v1/ledger-entries/{entry.pk}/document/", content,
                                 content_type="application/pdf")  # fmt: skip
    assert put.status_code == 400 and message in put.content.decode()
    assert not EntryDocument.objects.exists()


@pytest.mark.django_db
def test_outsider_can_neither_read_nor_upload(outsider, controller, customer):
    entry = EntryFactory(customer=customer)
    api_as(controller).put(f"/api/v1/ledger-entries/{entry.pk}/document/", tiny_pdf(),
                           content_type="application/pdf")  # fmt: skip
    api = api_as(outsider)
    url = f"/api/v1/ledger-entries/{entry.pk}/document/"
    assert api.get(url).status_code == 404
    assert api.put(url, tiny_pdf(), content_type="application/pdf").status_code == 404


@pytest.mark.django_db
def test_upload_ahead_of_the_entry_is_attached_by_reference(integrator, customer):
    api = api_as(integrator)
    created = api.post("/api/v1/entry-documents/", {
        "company": customer.company_id, "file": SimpleUploadedFile("INV-9.pdf", tiny_pdf())},
        format="multipart")  # fmt: skip
    assert created.status_code == 201, created.content
    ref = created.json()["ref"]
    entry = EntryFactory(customer=customer)
    doc = entry_document_attach_ref(entry=entry, ref=ref)
    assert doc.entry == entry and doc.filename == "INV-9.pdf"


@pytest.mark.django_db
def test_controller_uploads_in_the_browser_and_outsider_cannot_download(client, controller,
                                                                        outsider, customer):  # fmt: skip
    entry = EntryFactory(customer=customer)
    client.force_login(controller)
    response = client.post(f"/customers/entries/{entry.pk}/document/",
                           {"file": SimpleUploadedFile("copy.pdf", tiny_pdf())})  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/entries/{entry.pk}/").content.decode()
    assert "copy.pdf" in page
    assert client.get(f"/customers/entries/{entry.pk}/document.pdf").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/customers/entries/{entry.pk}/document.pdf").status_code == 404
    assert client.post(f"/customers/entries/{entry.pk}/document/",
                       {"file": SimpleUploadedFile("x.pdf", tiny_pdf())}).status_code == 404  # fmt: skip


@pytest.mark.django_db
def test_entries_sync_attaches_an_upload_by_reference(integrator, company):
    from ledger import sync
    from ledger.entry_documents import entry_document_upload
    from tests.factories import CustomerFactory

    CustomerFactory(company=company, external_ref="CUST-1")
    doc = entry_document_upload(user=integrator, company=company, upload=tiny_pdf(),
                                filename="INV1.pdf")  # fmt: skip
    row = {"external_ref": "INV-1", "customer_ref": "CUST-1", "entry_type": "invoice",
           "document_no": "INV1", "document_date": "2026-10-01", "amount": "100.00",
           "document_ref": str(doc.ref)}  # fmt: skip
    result = sync.sync_entries(user=integrator, company=company, rows=[row])
    assert result.ok, result.errors
    doc.refresh_from_db()
    assert doc.entry.external_ref == "INV-1"
    again = sync.sync_entries(user=integrator, company=company, rows=[row])  # same ref: fine
    assert again.ok, again.errors
    unknown = sync.sync_entries(user=integrator, company=company, rows=[
        {**row, "external_ref": "INV-2", "document_no": "INV2",
         "document_ref": "5b6d0f3e-0000-4000-8000-000000000000"}])  # fmt: skip
    assert [e["field"] for e in unknown.errors] == ["document_ref"]
    taken = sync.sync_entries(user=integrator, company=company, rows=[
        {**row, "external_ref": "INV-3", "document_no": "INV3"}])  # fmt: skip
    assert "another entry" in taken.errors[0]["message"]
