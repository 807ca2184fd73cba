"""Invoice copies through the API: ``PUT /ledger-entries/{id}/document/`` (a raw PDF body,
``Content-Type: application/pdf``, or a multipart ``file``), ``GET`` it back, and uploads
not yet tied to an entry (``POST /entry-documents/``) that the entries sync attaches by
``document_ref``."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ..entry_documents import entry_document_set, entry_document_upload
from ..models import Company, EntryDocument


class PDFParser(BaseParser):
    """The request body is the PDF itself."""

    media_type = "application/pdf"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"file": stream.read() if stream is not None else b""}


class EntryDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntryDocument
        fields = ["ref", "company", "entry", "filename", "size", "uploaded_at"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all())
    file = serializers.FileField(
        help_text=gettext_lazy("The PDF (at most ENTRY_DOCUMENT_MAX_BYTES).")
    )


def _upload(request: Request) -> tuple[bytes | object, str]:
    upload = request.data.get("file")
    if upload is None or upload == b"":
        raise DRFValidationError({"file": _("Send the PDF as the body or as the field “file”.")})
    name = getattr(upload, "name", "") or request.headers.get("X-Filename", "")
    return upload, name


class EntryDocumentActions:
    """Mixed into the ledger entries' viewset: the entry's document."""

    @extend_schema(
        summary="The entry's document (invoice copy)",
        methods=["GET"], responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                                    404: OpenApiResponse(description="No document.")},
    )  # fmt: skip
    @extend_schema(
        summary="Upload the entry's document (a PDF; replaces any earlier one)",
        methods=["PUT"], request={"application/pdf": OpenApiTypes.BINARY,
                                  "multipart/form-data": UploadSerializer},
        responses={200: EntryDocumentSerializer, 400: OpenApiResponse(description="Not a PDF, "
                   "or too large.")},
    )  # fmt: skip
    @action(detail=True, methods=["get", "put"], url_path="document",
            parser_classes=[PDFParser, MultiPartParser])  # fmt: skip
    def document(self, request: Request, pk=None):
        entry = self.get_object()
        if request.method == "GET":
            doc = EntryDocument.objects.filter(entry=entry).first()
            if doc is None:
                raise Http404
            return FileResponse(doc.file.open("rb"), content_type="application/pdf",
                                filename=doc.filename)  # fmt: skip
        upload, name = _upload(request)
        doc = entry_document_set(user=request.user, entry=entry, upload=upload, filename=name,
                                 source="api")  # fmt: skip
        return Response(EntryDocumentSerializer(doc).data)


class EntryDocumentViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Invoice copies uploaded before their entry: the sync attaches one by its ``ref``."""

    serializer_class = EntryDocumentSerializer
    parser_classes = [MultiPartParser]
    filterset_fields = ["company"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return EntryDocument.objects.filter(
            company__in=Company.objects.visible_to(self.request.user)
        )

    @extend_schema(request={"multipart/form-data": UploadSerializer},
                   responses={201: EntryDocumentSerializer})  # fmt: skip
    def create(self, request: Request) -> Response:
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = data.validated_data["company"]
        if not Company.objects.visible_to(request.user).filter(pk=company.pk).exists():
            raise DRFValidationError({"company": _("Not a company of yours.")})
        upload = data.validated_data["file"]
        doc = entry_document_upload(user=request.user, company=company, upload=upload,
                                    filename=upload.name)  # fmt: skip
        return Response(EntryDocumentSerializer(doc).data, status=status.HTTP_201_CREATED)
