from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["EolImportForm", "PlatformForm"]


class PlatformForm(forms.Form):
    vendor_support_ends_on = forms.DateField(
        label=_("Vendor support ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day the service covers this OS; contracts end then."),
    )
    is_offered = forms.BooleanField(label=_("Offered for new contracts"), required=False)
    price_class = forms.SlugField(label=_("OS class for prices"), max_length=32, required=False)


class EolImportForm(forms.Form):
    table_file = forms.FileField(label=_("End-of-life table (CSV)"))
    data_format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("endoflife.date", _("endoflife.date OS table (os_eol.csv)")),
            ("distro-info-debian", _("distro-info-data debian.csv")),
            ("distro-info-ubuntu", _("distro-info-data ubuntu.csv")),
        ],
    )
    add_missing = forms.BooleanField(
        label=_("Add the releases that are not in the list yet"), required=False, initial=True
    )
