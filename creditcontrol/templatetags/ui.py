"""Small presentation helpers shared by every page: money, rating dots, sortable headers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, translation
from django.utils.html import format_html

register = template.Library()

RATING_LABELS = {"good": "Good", "normal": "Normal", "bad": "Bad"}


@register.filter
def money(value) -> str:
    """``1234.5`` → ``1,234.50``; blank for None. Decimal throughout, never float."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not translation.get_language() or translation.get_language().startswith("en"):
        return f"{amount:,.2f}"
    # A customer's document in its language: Django's separators (1.234,50 in German).
    return formats.number_format(
        amount.quantize(Decimal("0.01")), 2, use_l10n=True, force_grouping=True
    )


@register.filter
def person(user) -> str:
    """A user's full name, or their username when no name is recorded."""
    if not user:
        return ""
    return user.get_full_name() or user.get_username()


@register.simple_tag
def rating_dot(rating: str, with_label: bool = False):
    """The debtor rating as a coloured dot (good green, normal amber, bad red)."""
    label = RATING_LABELS.get(rating, rating)
    if with_label:
        return format_html(
            '<span class="rating"><span class="dot dot-{}" aria-hidden="true"></span>{}</span>',
            rating,
            label,
        )
    return format_html(
        '<span class="dot dot-{}" title="{}" role="img" aria-label="Rating: {}"></span>',
        rating,
        label,
        label,
    )


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css_class: str = ""):
    """A column header linking to the list sorted by ``key``; a second click reverses it."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    arrow = ""
    aria = "none"
    if current == key:
        params["sort"] = f"-{key}"
        arrow, aria = "▲", "ascending"
    elif current == f"-{key}":
        params["sort"] = key
        arrow, aria = "▼", "descending"
    else:
        params["sort"] = key
    return format_html(
        '<th class="{}" aria-sort="{}"><a href="?{}" class="sort{}">{}<span class="arrow">{}</span>'
        "</a></th>",
        css_class,
        aria,
        params.urlencode(),
        " sorted" if arrow else "",
        label,
        arrow,
    )


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.0f}%"


# One date format (``day``) and date-and-time (``when``, in the current time zone: views
# activate the company's). "03 Dec 2026" reads the same in every company's convention,
# where 03/12 and 12/03 do not. New pages use these; older templates still name their
# formats (see the issue 13 note).
DAY_FORMAT = "d M Y"
WHEN_FORMAT = "d M Y H:i"


@register.filter
def day(value) -> str:
    """A date as ``03 Dec 2026``; blank for None."""
    from django.utils.dateformat import format as date_format

    return date_format(value, DAY_FORMAT) if value else ""


@register.filter
def when(value) -> str:
    """A moment as ``03 Dec 2026 14:05`` in the current time zone; blank for None."""
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, WHEN_FORMAT)


@register.filter
def density(query: str, value: str) -> str:
    """The current query string with ``density`` set to ``value`` (removed when blank)."""
    from django.http import QueryDict

    params = QueryDict(query, mutable=True)
    params.pop("density", None)
    params.pop("page", None)
    if value:
        params["density"] = value
    return params.urlencode()
