"""Each report as a read-only API list: the same FilterSet and rows as its page.

Answers ``{"next", "previous", "totals", "results"}``: ``results`` are the rows of one
page (``?page=``, ``?page_size=`` up to 1,000), ``totals`` one row per base currency
over every row, not only the page's. Money is a decimal string beside its currency.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ..base import Column, Report, ReportRun

MAX_PAGE_SIZE = 1000


def _field(column: Column) -> serializers.Field:
    help_text = column.label
    if column.kind == "money":
        return serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                        help_text=help_text)  # fmt: skip
    if column.kind == "date":
        return serializers.DateField(allow_null=True, help_text=help_text)
    if column.kind == "when":
        return serializers.DateTimeField(allow_null=True, help_text=help_text)
    if column.kind in ("int", "days"):
        return serializers.IntegerField(allow_null=True, help_text=help_text)
    return serializers.CharField(allow_null=True, allow_blank=True, help_text=help_text)


def _name(report: Report) -> str:
    return "".join(part.capitalize() for part in report.slug.split("-"))


def serializers_for(report: Report) -> tuple[type, type, type]:
    """The row, totals and page serializers of ``report``, made from its columns."""
    name = _name(report)
    row = type(f"{name}RowSerializer", (serializers.Serializer,),
               {column.key: _field(column) for column in report.columns})  # fmt: skip
    totals = type(f"{name}TotalSerializer", (serializers.Serializer,), {
        "currency": serializers.CharField(help_text=_("The base currency (LCY) of these totals.")),
        **{column.key: _field(column) for column in report.total_columns},
    })  # fmt: skip
    page = type(f"{name}PageSerializer", (serializers.Serializer,), {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "totals": totals(many=True),
        "results": row(many=True),
    })  # fmt: skip
    return row, totals, page


class ReportAPIView(GenericAPIView):
    """A report's rows, filtered like its page; every role may read (integrators too)."""

    report: Report
    filter_backends = [DjangoFilterBackend]
    pagination_class = None

    def get_queryset(self):
        return self.report.base_queryset(self.request.user)

    def get(self, request, *args: Any, **kwargs: Any) -> Response:
        if not self.report.may_read_api(request.user):
            raise PermissionDenied(_("Your role may not read reports."))
        run = ReportRun(self.report, user=request.user, data=request.query_params,
                        request=request)  # fmt: skip
        if not run.valid:
            raise ValidationError(run.errors)
        try:
            size = min(max(int(request.query_params.get("page_size") or 0), 0), MAX_PAGE_SIZE)
        except ValueError:
            raise ValidationError(
                {"page_size": [_("Give a whole number from 1 to 1000.")]}
            ) from None
        page = run.page(request.query_params.get("page"), size=size or None)
        row_class, total_class, _page = serializers_for(self.report)
        return Response({
            "next": self._link(request, page.number + 1) if page.has_next else None,
            "previous": self._link(request, page.number - 1) if page.has_previous else None,
            "totals": total_class(run.totals(), many=True).data,
            "results": row_class([run.api_row(row) for row in page.rows], many=True).data,
        })  # fmt: skip

    @staticmethod
    def _link(request, number: int) -> str:
        params = request.query_params.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def api_view_for(report: Report):
    """A ``ReportAPIView`` subclass for ``report``, documented in the OpenAPI schema."""
    _row, _totals, page = serializers_for(report)
    view = type(f"{_name(report)}ReportView", (ReportAPIView,), {
        "report": report, "filterset_class": report.filterset_class,
        "queryset": report.model.objects.none(), "__doc__": report.summary,
    })  # fmt: skip
    schema = extend_schema(
        operation_id=f"reports_{report.slug.replace('-', '_')}",
        summary=report.title,
        description=report.summary,
        tags=["reports"],
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description=f"Rows a page, up to {MAX_PAGE_SIZE}."),
            OpenApiParameter(
                "sort",
                str,
                enum=sorted([*report.sorts, *(f"-{key}" for key in report.sorts)]),
                description=f"Sort key; a leading minus reverses. Default {report.default_sort}.",
            ),
        ],
        responses={
            200: page,
            400: OpenApiResponse(description="A filter is not valid: each is named."),
            403: OpenApiResponse(description="No credit-control role."),
        },
    )

    # A function of its own per report: the schema is recorded on the function.
    def get(self, request, *args, **kwargs):
        return ReportAPIView.get(self, request, *args, **kwargs)

    view.get = schema(get)
    return view.as_view()
