"""Issues 13 §8 and 14 §1, held for good: no page template names its own date format, and
every text a person reads on a page is marked for translation.

Every page template is held to both rules (``template_scan.NOT_YET_SWEPT`` names a
directory a sweep has not reached yet; none is left).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.i18n import template_scan
from tests.i18n.template_scan import TEMPLATES, named_date_formats, swept_templates, unmarked_texts


def test_every_template_directory_is_swept():
    for name in template_scan.NOT_YET_SWEPT:
        assert (TEMPLATES / name).is_dir(), name
    swept = {path.relative_to(TEMPLATES).parts[0] for path in swept_templates()}
    every = {path.name for path in TEMPLATES.iterdir()}
    assert every - template_scan.NOT_YET_SWEPT == swept
    assert {"base.html", "communications", "ledger", "followups", "reports", "portal"} <= swept


def test_no_template_names_its_own_date_format():
    found = [str(f) for path in swept_templates() for f in named_date_formats(path)]
    assert not found, "use |day or |when:\n" + "\n".join(found)


def test_every_visible_text_of_a_template_is_marked_for_translation():
    found = [str(f) for path in swept_templates() for f in unmarked_texts(path)]
    assert not found, "mark with {% translate %} or {% blocktranslate %}:\n" + "\n".join(found)


# --- The scan itself finds what it must ------------------------------------------------


@pytest.fixture
def template(tmp_path, monkeypatch):
    """A template file of the test's own, scanned as if it were among the project's."""
    monkeypatch.setattr(template_scan, "TEMPLATES", tmp_path)

    def write(text: str) -> Path:
        path = tmp_path / "page.html"
        path.write_text(text)
        return path

    return write


@pytest.mark.parametrize(
    "text",
    [
        '{{ entry.due_date|date:"d/m/Y" }}',
        "{{ entry.due_date|date:'j M Y H:i' }}",
        "{{ entry.due_date|date }}",
        "{{ entry.due_date|date:SHORT_DATE_FORMAT }}",
    ],
)
def test_the_scan_finds_a_named_date_format(template, text):
    assert named_date_formats(template(f"<td>{text}</td>"))


@pytest.mark.parametrize(
    "text",
    [
        "<td>{{ entry.due_date|day }}</td>",
        "<time datetime=\"{{ item.at|date:'c' }}\">{{ item.at|when }}</time>",
    ],
)
def test_the_day_and_when_filters_and_a_machine_date_pass(template, text):
    assert not named_date_formats(template(text))


@pytest.mark.parametrize(
    "text",
    [
        "<h1>Customers</h1>",
        "<p>Due {{ entry.due_date|day }}</p>",
        '<a title="Open the card" href="#">{% translate "Open" %}</a>',
        '<input placeholder="Search customers">',
        "{% block title %}Settings{% endblock %}",
        "<td>{% if open %}{% translate 'Open' %}{% else %}Closed{% endif %}</td>",
        "<p>Überfällig</p>",
    ],
)
def test_the_scan_finds_an_unmarked_text(template, text):
    assert unmarked_texts(template("{% load i18n %}" + text))


@pytest.mark.parametrize(
    "text",
    [
        '<h1>{% translate "Customers" %}</h1>',
        "<p>{% blocktranslate with day=d|day %}Due {{ day }}{% endblocktranslate %}</p>",
        '<a title="{% translate "Open the card" %}" href="#">{{ customer.name }}</a>',
        "<td>{{ amount|money }} · — ▲ 12.50 %</td>",
        "<script>const label = 'not for people';</script><style>.a::after{content:'x'}</style>",
        "<p><code>external_ref</code></p><!-- a comment for developers -->",
        "{% comment %}Why this is so{% endcomment %}{# and this #}",
        "<td>CSV PDF</td>",
    ],
)
def test_marked_texts_variables_and_symbols_pass(template, text):
    assert not unmarked_texts(template("{% load i18n ui %}" + text))
