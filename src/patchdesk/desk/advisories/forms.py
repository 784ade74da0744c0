"""Forms of the advisories and feeds pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.findings.choices import LevelChoices
from patchdesk.engine.feeds.detect import FeedFormat

__all__ = ["AdvisoryFilterForm", "FeedSourceForm", "FeedSyncForm", "FeedUploadForm"]

MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class AdvisoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=128,
        help_text=_("Advisory id, CVE id or package name"),
    )
    platform = forms.CharField(label=_("Platform"), required=False, max_length=64)
    level = forms.ChoiceField(
        label=_("Highest level"),
        required=False,
        choices=[("", _("All levels")), *LevelChoices.choices],
    )

    def __init__(self, *args: Any, platform_keys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].widget = forms.Select(
            choices=[
                ("", _("All platforms")),
                *[(key, key) for key in platform_keys],
            ]
        )


class FeedSourceForm(forms.Form):
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False)
    url = forms.CharField(
        label=_("URL"),
        required=False,
        max_length=500,
        help_text=_(
            "Where the feed is downloaded from: http(s)://… or file:///… for a local copy."
        ),
    )

    sources_list = forms.CharField(
        label=_("APT sources"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 50}),
        help_text=_(
            "The mirror's sources.list or *.sources text. Empty: the URL (file:///…, a file or "
            "an APT directory), else this machine's /etc/apt."
        ),
    )

    def __init__(self, *args: Any, needs_url: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_url = needs_url

    def clean_url(self) -> str:
        url = str(self.cleaned_data.get("url") or "").strip()
        if not url:
            return ""
        if url.startswith("file:///"):
            return url
        if not self.needs_url:
            raise forms.ValidationError(_("Enter a file:/// path or leave it empty."))
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise forms.ValidationError(_("Enter an http://, https:// or file:/// URL.")) from None
        return url

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("is_enabled") and not cleaned.get("url") and self.needs_url:
            self.add_error("url", _("An enabled source needs a URL."))
        return cleaned


class FeedSyncForm(forms.Form):
    """The sources ticked for "sync now" (empty with ``all``: every enabled source)."""

    sources = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(choices=[("selected", "selected"), ("enabled", "enabled")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("sources") if hasattr(self.data, "getlist") else []
        field = self.fields["sources"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, value) for value in raw if str(value).isdigit()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == "selected" and not cleaned.get("sources"):
            raise forms.ValidationError(_("Select at least one source."))
        return cleaned


class FeedUploadForm(forms.Form):
    upload = forms.FileField(label=_("Feed file"))
    feed_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[
            ("", _("Recognise it from the content")),
            *[(f.value, f.value) for f in FeedFormat],
        ],
    )
    source_name = forms.SlugField(
        label=_("Source name"),
        required=False,
        max_length=64,
        help_text=_("Optional; by default import-<format>."),
    )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 512 MB."))
        return upload
