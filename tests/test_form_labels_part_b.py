"""Issue 13 §7, part B: no label or help text says "optional" on a field the form then
requires, across every form of followups, reports, team, portal, inbound and webhooks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

APPS = ["followups", "reports", "team", "portal", "inbound", "webhooks"]


def _all_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in info.name and not info.name.endswith("tests"):
                importlib.import_module(info.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS:
            found.append(cls)
    return found


FORMS = _all_forms()


def test_the_sweep_sees_the_forms():
    names = {cls.__name__ for cls in FORMS}
    assert len(FORMS) >= 8 and {"PortalSettingsForm"} <= names, names


@pytest.mark.parametrize("form", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_required_fields_never_say_optional(form):
    said = []
    for field_name, field in form.base_fields.items():
        text = f"{field.label or ''} {field.help_text or ''}".lower()
        if field.required and "optional" in text:
            said.append(field_name)
    assert not said, f"{form.__name__}: required but labelled optional: {said}"


# Rendered by hand in their templates, with labels of their own ({% translate %}).
HAND_RENDERED = {("ExpectedDateForm", "note"), ("ExcludeForm", "entries")}


@pytest.mark.parametrize("form", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_shown_label_is_marked_for_translation(form):
    from django.utils.functional import Promise

    plain = [
        name for name, field in form.base_fields.items()
        if not field.widget.is_hidden and (form.__name__, name) not in HAND_RENDERED
        and not isinstance(field.label, Promise)
    ]  # fmt: skip
    assert not plain, f"{form.__name__}: labels not marked for translation: {plain}"
