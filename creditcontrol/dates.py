"""The one formatter of every date a person reads on a page, in an export or an internal PDF.

A company chooses its date convention (``Company.date_style``): "03 Dec 2026" by default,
or 03/12/2026, 12/03/2026, 03.12.2026 or 2026-12-03. Every page (the ``day`` and ``when``
template filters of ``creditcontrol/templatetags/ui.py``), every CSV export
(``creditcontrol/csv_export.py`` formats date cells itself) and every internal PDF goes
through :func:`format_day` and :func:`format_when`; nothing else names a date format.
Times are shown in the company's time zone.

Which company's convention? The request's: :class:`DateConventionMiddleware` makes it the
signed-in user's first company (by name) and looks it up only when a date is first
formatted; a page about one customer (the card, a communication, an entry) switches to
that customer's company with :func:`activate`. Outside a request (a task, a command) the
default style and Django's current time zone apply unless a company is given.

Decided, and kept apart: documents that go *to customers* (reminder emails and letters,
statements, the self-service page) follow the customer's language's localisation
(Django's ``DATE_FORMAT`` under ``translation.override``), not the company convention;
the API writes ISO 8601 whatever the convention.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

# key: (label, date format, date-and-time format), in Django's ``date`` filter syntax.
DATE_STYLES: dict[str, tuple[Any, str, str]] = {
    "d_mon_y": (_("03 Dec 2026 (day, month name, year)"), "d M Y", "d M Y H:i"),
    "d/m/y": (_("03/12/2026 (day/month/year)"), "d/m/Y", "d/m/Y H:i"),
    "m/d/y": (_("12/03/2026 (month/day/year)"), "m/d/Y", "m/d/Y h:i A"),
    "d.m.y": (_("03.12.2026 (day.month.year)"), "d.m.Y", "d.m.Y H:i"),
    "iso": (_("2026-12-03 (ISO 8601)"), "Y-m-d", "Y-m-d H:i"),
}
DEFAULT_STYLE = "d_mon_y"
DATE_STYLE_CHOICES = [(key, label) for key, (label, _d, _w) in DATE_STYLES.items()]


@dataclass(frozen=True)
class Convention:
    """A date style and the time zone moments are shown in (None: Django's current one)."""

    style: str = DEFAULT_STYLE
    tz: dt.tzinfo | None = None

    @classmethod
    def of(cls, company: Any) -> Convention:
        if company is None:
            return cls()
        style = getattr(company, "date_style", DEFAULT_STYLE) or DEFAULT_STYLE
        return cls(style=style, tz=zoneinfo.ZoneInfo(company.time_zone))

    @property
    def day_format(self) -> str:
        return DATE_STYLES.get(self.style, DATE_STYLES[DEFAULT_STYLE])[1]

    @property
    def when_format(self) -> str:
        return DATE_STYLES.get(self.style, DATE_STYLES[DEFAULT_STYLE])[2]

    def day(self, value: dt.date | dt.datetime | None) -> str:
        if not value:
            return ""
        if isinstance(value, dt.datetime):
            value = self._local(value).date()
        return date_format(value, self.day_format)

    def when(self, value: dt.datetime | dt.date | None) -> str:
        if not value:
            return ""
        if not isinstance(value, dt.datetime):
            return self.day(value)
        return date_format(self._local(value), self.when_format)

    def _local(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            return value
        return value.astimezone(self.tz) if self.tz else timezone.localtime(value)


# The active convention, or a function that finds it on first use (one query per request,
# and none for a page that shows no date).
_active: ContextVar[Convention | Callable[[], Convention] | None] = ContextVar(
    "date_convention", default=None
)


def current() -> Convention:
    """The convention in effect: the one activated, else the default."""
    active = _active.get()
    if active is None:
        return Convention()
    if not isinstance(active, Convention):
        active = active()
        _active.set(active)
    return active


def activate(company: Any) -> None:
    """Show dates in ``company``'s convention until the end of the request."""
    _active.set(Convention.of(company))


@contextlib.contextmanager
def override(company: Any) -> Iterator[Convention]:
    """``company``'s convention inside the ``with`` block (a task, a test)."""
    token = _active.set(Convention.of(company))
    try:
        yield current()
    finally:
        _active.reset(token)


def format_day(value: dt.date | dt.datetime | None, company: Any = None) -> str:
    """A date in the convention (``company``'s if given, else the active one); blank for None."""
    return (Convention.of(company) if company is not None else current()).day(value)


def format_when(value: dt.datetime | dt.date | None, company: Any = None) -> str:
    """A moment with its time, in the convention and the company's time zone; blank for None."""
    return (Convention.of(company) if company is not None else current()).when(value)


def _first_company_of(user: Any) -> Convention:
    from ledger.models import Company  # ledger's models import this module's choices

    company = (
        Company.objects.visible_to(user).order_by("name").only("date_style", "time_zone").first()
    )
    return Convention.of(company)


class DateConventionMiddleware:
    """Dates on this request's pages in the signed-in user's (first) company's convention."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            token = _active.set(lambda: _first_company_of(user))
        else:
            token = _active.set(None)
        try:
            return self.get_response(request)
        finally:
            _active.reset(token)
