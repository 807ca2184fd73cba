"""Text of a PDF, for tests that check what a document says (not only its first bytes)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """Every page's text, joined, with runs of spaces collapsed."""
    assert content.startswith(b"%PDF-"), "not a PDF"
    reader = PdfReader(io.BytesIO(bytes(content)))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"[ \t]+", " ", text)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(bytes(content))).pages)
