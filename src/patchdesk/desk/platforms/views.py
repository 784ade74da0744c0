"""The operators' platform pages: supported OS releases and their end of support (R5, R13)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.platforms.forms import EolImportForm, PlatformForm
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.desk.platforms.selectors import platform_get, platform_list
from patchdesk.desk.platforms.services import platform_eol_import_data, platform_update

__all__ = ["PlatformEditView", "PlatformImportView", "PlatformListView"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class PlatformListView(OperatorRequiredMixin, TemplateView):
    template_name = "platforms/platform_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["platforms"] = platform_list()
        return context


class PlatformEditView(OperatorRequiredMixin, View):
    template_name = "platforms/platform_form.html"

    def _platform(self, pk: int) -> SupportedPlatform:
        try:
            return platform_get(pk)
        except SupportedPlatform.DoesNotExist:
            raise Http404 from None

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        platform = self._platform(pk)
        form = PlatformForm(
            initial={
                "vendor_support_ends_on": platform.vendor_support_ends_on,
                "is_offered": platform.is_offered,
                "price_class": platform.price_class,
            }
        )
        return render(request, self.template_name, {"platform": platform, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        platform = self._platform(pk)
        form = PlatformForm(request.POST)
        if form.is_valid():
            platform_update(platform, **form.cleaned_data, actor=acting_user(request))
            messages.success(request, _("The platform has been saved."))
            return redirect("console:platforms:list")
        return render(request, self.template_name, {"platform": platform, "form": form})


class PlatformImportView(OperatorRequiredMixin, View):
    """Vendor end-of-support dates from an end-of-life table (engine.feeds.eol parses it)."""

    template_name = "platforms/platform_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": EolImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EolImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["table_file"]
            if upload.size > MAX_UPLOAD_BYTES:
                form.add_error("table_file", _("The file is larger than 5 MB."))
            else:
                report = platform_eol_import_data(
                    upload.read(),
                    data_format=form.cleaned_data["data_format"],
                    add_missing=form.cleaned_data["add_missing"],
                    actor=acting_user(request),
                )
        return render(request, self.template_name, {"form": form, "report": report})
