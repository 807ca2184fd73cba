"""The one CSV writer of every export (customer export, every report): each cell that a
spreadsheet would read as a formula is neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice (CSV injection: ``=HYPERLINK(...)`` in a customer's
name). Such a cell gets a leading apostrophe, which spreadsheets show as text. A number
stays a number: ``-12.50`` and ``+3`` are left as they are, so amounts still add up.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

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

    def __init__(self) -> None:
        self._writer = csv.writer(_Echo())

    def writerow(self, cells: Iterable[Any]) -> str:
        return self._writer.writerow([safe_cell(cell) for cell in cells])
