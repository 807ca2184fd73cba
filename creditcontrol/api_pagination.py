"""Pagination for API lists: by cursor (keyset), never by counting a million rows."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset pagination on ``-id`` unless a view sets ``ordering``; ``page_size`` up to 1000."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        # The cursor needs a unique, stable order; a client's ?ordering= is honoured
        # with the id as tie-breaker so that pages never repeat or skip a row.
        ordering = super().get_ordering(request, queryset, view)
        if ordering and ordering[-1].lstrip("-") not in ("id", "pk"):
            ordering = (*ordering, "-id" if ordering[-1].startswith("-") else "id")
        return ordering
