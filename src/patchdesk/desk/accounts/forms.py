from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
