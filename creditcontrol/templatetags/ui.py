"""Small presentation helpers shared by every page: money, rating dots, sortable headers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from creditcontrol import dates

register = template.Library()

RATING_LABELS = {
    "good": gettext_lazy("Good"),
    "normal": gettext_lazy("Normal"),
    "bad": gettext_lazy("Bad"),
}


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
        '<span class="dot dot-{}" title="{}" role="img" aria-label="{}"></span>',
        rating,
        label,
        gettext("Rating: %(rating)s") % {"rating": label},
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


# One date format for the whole application: the company's convention
# (``creditcontrol/dates.py``), with the time in the company's zone. Templates never name a
# date format of their own (tests/creditcontrol/test_template_sweep.py checks it).


@register.filter
def day(value, company=None) -> str:
    """A date in the company's convention (``03 Dec 2026`` by default); blank for None.

    ``{{ d|day }}`` uses the page's company; ``{{ d|day:customer.company }}`` names one.
    Anything but a date or a moment shows blank, as Django's ``date`` filter does."""
    if not isinstance(value, dt.date):
        return ""
    return dates.format_day(value, company)


@register.filter
def when(value, company=None) -> str:
    """A moment as a date and time in the company's convention and time zone; blank for None.

    ``{{ t|when }}`` uses the page's company; ``{{ t|when:n.company }}`` names one."""
    if not isinstance(value, dt.date):
        return ""
    return dates.format_when(value, company)


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
