"""The one CSV writer of every export (customer export, every report): each cell that a
spreadsheet would read as a formula is neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice (CSV injection: ``=HYPERLINK(...)`` in a customer's
name). Such a cell gets a leading apostrophe, which spreadsheets show as text. A number
stays a number: ``-12.50`` and ``+3`` are left as they are, so amounts still add up.

Dates are written here too, in the company's date convention (``creditcontrol/dates.py``):
callers hand over ``date`` and ``datetime`` objects and never format them. The convention
is taken when the writer is made, inside the request, because a streamed export is
written after the view has returned.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from creditcontrol import dates

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as written: text a spreadsheet would evaluate is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose ``write`` hands back the line: csv.writer then yields it."""

    def write(self, value: str) -> str:
        return value


class CsvLines:
    """``writerow(cells)`` returns the CSV line (for streaming), every cell made safe."""

    def __init__(self, company: Any = None) -> None:
        self._writer = csv.writer(_Echo())
        self._convention = dates.Convention.of(company) if company else dates.current()

    def cell(self, value: Any) -> Any:
        """One cell as written: a moment or a date in the convention, text made safe."""
        if isinstance(value, dt.datetime):
            return self._convention.when(value)
        if isinstance(value, dt.date):
            return self._convention.day(value)
        return safe_cell(value)

    def writerow(self, cells: Iterable[Any]) -> str:
        return self._writer.writerow([self.cell(cell) for cell in cells])
