"""A scan of the page templates for what the sweep of issues 13 §8 and 14 §1 forbids: visible
text that is not marked for translation, and a date format named by a template.

The template is split as Django's own lexer splits it; each template tag and variable
becomes one placeholder character, so an HTML tag that holds ``{% if %}`` stays one HTML
tag. The text between HTML tags (outside ``<script>``, ``<style>`` and ``<code>``), and the
``title``, ``placeholder``, ``aria-label``, ``alt`` and confirmation (``data-confirm``,
``hx-confirm``) attributes, are what a person reads. Text inside
``{% translate %}`` or ``{% blocktranslate %}`` is a tag or inside one, so it is never seen
here. A fragment is flagged when it holds a letter: whitespace, punctuation, numbers,
symbols (▲, ·, —) and template variables are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.template.base import BLOCK_TAG_START, tag_re

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Directories a sweep has not reached yet (none since part B, the followups, reports, team,
# portal and webhooks templates, was merged); a directory named here is left out of the scan.
NOT_YET_SWEPT: set[str] = set()

PLACEHOLDER = "\ue000"
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm", "hx-confirm")
# Codes people read the same in every language (the formats we export), and the brand.
UNTRANSLATED_WORDS = {"CSV", "PDF", "API", "LCY", "ISO", "OK", "cc", "creditcontrol"}

_HTML = re.compile(
    r"<!--.*?-->|<(script|style|code)\b[^>]*>.*?</\1\s*>|<[a-zA-Z/!][^>]*>",
    re.DOTALL | re.IGNORECASE,
)
_ATTRIBUTE = re.compile(
    r"\s(" + "|".join(VISIBLE_ATTRIBUTES) + r")\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE
)
_DATE_FORMAT = re.compile(
    r"""\|\s*date\s*:\s*(["'])(?!c\1|U\1)[^"']*\1"""  # |date:"d M Y" (not "c": ISO in an attribute)
    r"""|\|\s*date\s*(?=[\s|}])"""  # |date with Django's default format
    r"""|[A-Z_]*DATE(TIME)?_FORMAT""",  # SHORT_DATE_FORMAT, DATETIME_FORMAT ...
)


@dataclass(frozen=True)
class Finding:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def swept_templates() -> list[Path]:
    """Every page template except those of the directories not yet swept."""
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if path.relative_to(TEMPLATES).parts[0] not in NOT_YET_SWEPT
    )


def _flattened(source: str) -> tuple[str, list[int]]:
    """The source with each template tag or variable replaced by one placeholder character,
    and (for each character of it) its offset in the source. Text inside
    ``{% blocktranslate %}`` and ``{% comment %}`` becomes placeholders too."""
    out: list[str] = []
    offsets: list[int] = []
    skipping = None
    cursor = 0

    def text(upto: int) -> None:
        if skipping is None:
            out.append(source[cursor:upto])
            offsets.extend(range(cursor, upto))

    for match in tag_re.finditer(source):  # the pattern Django's own lexer splits on
        text(match.start())
        tag = match.group(0)
        if tag.startswith(BLOCK_TAG_START):
            name = (tag[2:-2].split() or [""])[0]
            if skipping is None and name in ("blocktranslate", "blocktrans", "comment"):
                skipping = "end" + name
            elif skipping == name:
                skipping = None
        out.append(PLACEHOLDER)
        offsets.append(match.start())
        cursor = match.end()
    text(len(source))
    return "".join(out), offsets


def _needs_translation(fragment: str) -> bool:
    words = re.findall(r"[^\W\d_]+", fragment.replace(PLACEHOLDER, " "))
    return any(word not in UNTRANSLATED_WORDS for word in words)


def unmarked_texts(path: Path) -> list[Finding]:
    """Visible texts of one template that are not marked for translation."""
    source = path.read_text()
    flat, offsets = _flattened(source)
    name = str(path.relative_to(TEMPLATES))
    found: list[Finding] = []

    def report(start: int, text: str) -> None:
        line = source.count("\n", 0, offsets[start] if start < len(offsets) else len(source)) + 1
        found.append(Finding(name, line, " ".join(text.replace(PLACEHOLDER, "{…}").split())))

    position = 0
    for match in _HTML.finditer(flat):
        _data(flat, position, match.start(), report)
        for attribute in _ATTRIBUTE.finditer(match.group(0)):
            value = attribute.group(2)[1:-1]
            for piece in value.split(PLACEHOLDER):
                if _needs_translation(piece):
                    report(match.start() + attribute.start(2), value)
                    break
        position = match.end()
    _data(flat, position, len(flat), report)
    return found


def _data(flat: str, start: int, end: int, report) -> None:
    # Each run of text between two template tags is a fragment of its own.
    cursor = start
    for piece in flat[start:end].split(PLACEHOLDER):
        if _needs_translation(piece):
            report(cursor, piece)
        cursor += len(piece) + 1


def named_date_formats(path: Path) -> list[Finding]:
    """Places where a template names a date format instead of using ``day``/``when``."""
    source = path.read_text()
    name = str(path.relative_to(TEMPLATES))
    return [
        Finding(name, source.count("\n", 0, match.start()) + 1, match.group(0))
        for match in _DATE_FORMAT.finditer(source)
    ]
