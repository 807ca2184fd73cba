"""A follow-up level's texts in the languages other than the company's (managers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.roles import role_required

from .forms import PLACEHOLDER_HELP
from .languages import LANGUAGES, level_texts_update
from .models import FollowUpLevelText
from .views_plan import _require_manager, _visible_level

NAMES = {"en": gettext_lazy("English"), "de": gettext_lazy("German"), "fr": gettext_lazy("French")}


class LevelTextsForm(forms.Form):
    email_subject = forms.CharField(
        label=gettext_lazy("Email subject"),
        max_length=200,
        required=False,
        help_text=PLACEHOLDER_HELP,
    )
    email_body = forms.CharField(
        label=gettext_lazy("Email body"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    letter_text = forms.CharField(
        label=gettext_lazy("Letter text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


@role_required
def level_texts(request, pk: int):
    """One form per language; the company's own language is the level's page itself."""
    _require_manager(request.user)
    level = _visible_level(request, pk)
    company = level.plan.company
    rows = {t.language: t for t in FollowUpLevelText.objects.filter(level=level)}
    forms_by_language = []
    for language in (lang for lang in LANGUAGES if lang != company.language):
        row = rows.get(language)
        initial = (
            {f: getattr(row, f) for f in ("email_subject", "email_body", "letter_text")}
            if row
            else {}
        )
        bound = request.method == "POST" and request.POST.get("language") == language
        form = LevelTextsForm(request.POST if bound else None, initial=initial, prefix=language)
        if bound and form.is_valid():
            try:
                level_texts_update(user=request.user, level=level, language=language,
                                   **form.cleaned_data)  # fmt: skip
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("%(NAMES_language)s texts of “%(level_name)s” saved.")
                    % {"NAMES_language": NAMES[language], "level_name": level.name},
                )
                return redirect("followups:level-texts", level.pk)
        forms_by_language.append((language, NAMES[language], form))
    return render(request, "followups/level_texts.html", {
        "level": level, "company": company, "forms": forms_by_language, "nav": "settings",
        "company_language": NAMES.get(company.language, company.language),
    })  # fmt: skip
