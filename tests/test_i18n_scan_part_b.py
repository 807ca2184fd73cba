"""One date format and a translatable UI, over the templates and Python of issue 13 §8 and
issue 14 §1 part B (followups, reports, team, portal, webhooks, inbound).

Rules, checked by reading the sources:
- No template names a date format. Pages, exports and internal PDFs use the ``day``/``when``
  filters (``creditcontrol/templatetags/ui.py``); documents that go to customers (the
  statement and letter PDFs, the self-service page) follow the customer's language through
  ``document_date``/``document_long_date`` (``followups/templatetags/customer_documents.py``,
  Django's localised formats), and only they.
- Every visible text of these templates (text between tags, and the title, placeholder,
  aria-label, alt and confirmation attributes; not code) is inside ``{% translate %}`` or
  ``{% blocktranslate %}``.
- Their Python formats no date by hand for a person to read (file names are not read).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = ["followups", "reports", "team", "portal", "webhooks", "inbound"]
PYTHON_APPS = ["followups", "reports", "team", "portal", "inbound", "webhooks", "events"]
CUSTOMER_DOCUMENTS = {"followups/pdf/statement.html", "followups/pdf/letter.html",
                      "followups/pdf/_letterhead.html", "portal/page.html",
                      "portal/_base.html", "portal/invalid.html"}  # fmt: skip
NAMED_FORMAT = re.compile(r"[A-Z_]*DATE(?:TIME)?_FORMAT")

DATE_FILTER = re.compile(r"\|\s*(date|time)(?::\s*(\"[^\"]*\"|'[^']*'))?")
TOKEN = re.compile(
    r"(\{%.*?%\}|\{#.*?#\}|<!--.*?-->|<(?:\{%.*?%\}|\{\{.*?\}\}|[^>{]|\{(?![%{]))*>)", re.S
)
VAR = re.compile(r"\{\{.*?\}\}", re.S)
SHOWN_ATTR = re.compile(
    r"\b(title|placeholder|aria-label|alt|data-confirm|hx-confirm)=\"([^\"]*)\""
)
HAND_DATE = re.compile(r"strftime\(|\{[^{}]*:%[a-zA-Z][^{}]*\}")


def templates() -> list[Path]:
    base = ROOT / "templates"
    return sorted(p for d in TEMPLATE_DIRS for p in (base / d).rglob("*.html"))


def name(path: Path) -> str:
    return path.relative_to(ROOT / "templates").as_posix()


@pytest.mark.parametrize("path", templates(), ids=name)
def test_dates_use_the_one_format_or_the_customers_localisation(path):
    source = path.read_text()
    found = [m.group(0) for m in DATE_FILTER.finditer(source)] + NAMED_FORMAT.findall(source)
    assert not found, f"{name(path)}: name no date format ({found}); pages use |day or |when"
    if name(path) not in CUSTOMER_DOCUMENTS:
        assert "document_date" not in source and "document_long_date" not in source, (
            f"{name(path)}: the customer-language date filters are for customer documents"
        )


# Read the same in every language: the formats we export, the codes, the brand.
SAME_IN_EVERY_LANGUAGE = {"CSV", "PDF", "API", "LCY", "ISO", "OK", "cc", "creditcontrol"}


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text) if w not in SAME_IN_EVERY_LANGUAGE]


def untranslated(source: str) -> list[str]:
    """Visible text of a template left outside the translation tags."""
    left, skip = [], 0
    for part in TOKEN.split(source):
        if not part:
            continue
        if TOKEN.fullmatch(part):
            low = part.lower()
            if re.match(r"<(script|style|pre|textarea|code)\b", low) or re.match(
                r"\{%\s*(blocktranslate|comment|verbatim)\b", part
            ):
                skip += 1
            elif re.match(r"</(script|style|pre|textarea|code)>", low) or re.match(
                r"\{%\s*(endblocktranslate|endcomment|endverbatim)\b", part
            ):
                skip = max(0, skip - 1)
            elif part.startswith("<") and not skip:
                for attr, value in SHOWN_ATTR.findall(part):
                    text = re.sub(r"\{%.*?%\}", "", VAR.sub("", value), flags=re.S)
                    if _words(text) and "translate" not in value:
                        left.append(f'{attr}="{value}"')
            continue
        if not skip and _words(VAR.sub("", part)):
            left.append(part.strip())
    return left


@pytest.mark.parametrize("path", [p for p in templates() if not p.name.endswith(".css")],
                         ids=name)  # fmt: skip
def test_every_visible_text_is_marked_for_translation(path):
    left = untranslated(path.read_text())
    assert not left, f"{name(path)}: not marked for translation: {left[:5]}"


def test_the_scan_sees_untranslated_text_and_named_formats():
    """The rules above catch what they are for (so they cannot pass by reading nothing)."""
    assert untranslated('<p title="Open it">Due {{ d|day }}</p>') == [
        'title="Open it"',
        "Due {{ d|day }}",
    ]
    assert untranslated('{% load i18n %}<p>{% translate "Due" %} {{ d|day }}</p>') == []
    assert untranslated("<span>L{{ line.level }}</span> <b>PDF</b>") == ["L{{ line.level }}"]
    assert DATE_FILTER.search('{{ d|date:"d/m/Y" }}') and not DATE_FILTER.search("{{ d|day }}")
    assert NAMED_FORMAT.findall('{{ d|date:"SHORT_DATE_FORMAT" }}') == ["SHORT_DATE_FORMAT"]
    assert len(templates()) > 40


@pytest.mark.parametrize("app", PYTHON_APPS)
def test_python_formats_no_date_by_hand_for_people(app):
    hand = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if HAND_DATE.search(line) and not re.search(
                r"filename|\.pdf|\.csv|name = f|\{extension\}", line
            ):
                hand.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hand, "format dates with the day/when filters: " + "; ".join(hand)
