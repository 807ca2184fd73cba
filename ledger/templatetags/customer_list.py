"""The customer list's column header: sort link, drag to reorder, resize handle."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def column_header(context, column):
    """A ``<th>`` sorting by the column (a second click reverses), draggable to reorder,
    with a handle on its right edge to resize."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    current, key = context.get("sort", ""), column.key
    arrow, aria = "", "none"
    if current == key:
        params["sort"], arrow, aria = f"-{key}", "▲", "ascending"
    elif current == f"-{key}":
        params["sort"], arrow, aria = key, "▼", "descending"
    else:
        params["sort"] = key
    return format_html(
        '<th class="{}" data-key="{}" draggable="true" aria-sort="{}" title="{}">'
        '<a href="?{}" class="sort{}">{}<span class="arrow">{}</span></a>'
        '<span class="col-resize" aria-hidden="true"></span></th>',
        " ".join(c for c in column.css.split() if c != "mono"), key, aria, column.title or column.label, params.urlencode(),
        " sorted" if arrow else "", column.label, arrow,
    )  # fmt: skip
