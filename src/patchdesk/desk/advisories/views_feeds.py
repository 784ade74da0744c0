"""The operators' feeds page: sources (enable, URL), sync now, upload a file, the runs and
their rejections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.advisories.feeds import DEBIAN_MIRROR_KIND, source_is_syncable
from patchdesk.desk.advisories.forms import FeedSourceForm, FeedSyncForm, FeedUploadForm
from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.operations import feed_upload_import, feeds_sync_request
from patchdesk.desk.advisories.selectors import (
    feed_source_get,
    feed_source_list,
    feed_source_row,
    feed_sources_by_ids,
    feed_sources_enabled,
    feed_sync_get,
    feed_sync_list,
)
from patchdesk.desk.advisories.sync import feed_source_set
from patchdesk.desk.contracts.views._common import acting_user, add_service_error, is_htmx
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.engine.feeds.detect import FeedFormat

__all__ = ["FeedListView", "FeedRunView", "FeedSourceEditView", "FeedSyncView", "FeedUploadView"]

TEMPLATE = "advisories/console/feeds.html"


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "sources": feed_source_list(),
        "runs": feed_sync_list(),
        "upload_form": extra.get("upload_form") or FeedUploadForm(),
        "source_errors": extra.get("source_errors") or {},
        "sync_errors": extra.get("sync_errors"),
        "imported": extra.get("imported"),
    }


class FeedListView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, TEMPLATE, _context())


def _source_or_404(pk: int) -> FeedSource:
    try:
        return feed_source_get(pk)
    except FeedSource.DoesNotExist:
        raise Http404 from None


class FeedSourceEditView(OperatorRequiredMixin, View):
    """Enable, disable or re-point one source; with HTMX the source's row is swapped."""

    http_method_names = ["post"]

    def _row(self, request: HttpRequest, source: FeedSource, **extra: Any) -> HttpResponse:
        row = feed_source_row(source.pk)
        return render(
            request, "advisories/partials/_feed_source_row.html", {"source": row, **extra}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = _source_or_404(pk)
        is_mirror = source.kind == DEBIAN_MIRROR_KIND
        form = FeedSourceForm(request.POST, needs_url=not is_mirror)
        if form.is_valid():
            try:
                feed_source_set(
                    source.name,
                    is_enabled=form.cleaned_data["is_enabled"],
                    url=form.cleaned_data["url"],
                    options=(
                        {"sources_list": form.cleaned_data["sources_list"].strip()}
                        if is_mirror
                        else None
                    ),
                    actor=acting_user(request),
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                message = _("The source %(name)s has been saved.") % {"name": source.name}
                if is_htmx(request):
                    return self._row(request, source, message=message)
                messages.success(request, message)
                return redirect("console:feeds:list")
        if is_htmx(request):
            return self._row(request, source, form=form)
        return render(request, TEMPLATE, _context(source_errors={source.pk: form}))


class FeedSyncView(OperatorRequiredMixin, View):
    """Sync the ticked sources (or every enabled one) now, in a background job."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FeedSyncForm(request.POST)
        if not form.is_valid():
            errors = [str(error) for error in form.non_field_errors()] or [
                _("Select at least one source.")
            ]
            return render(request, TEMPLATE, _context(sync_errors=errors), status=400)
        if form.cleaned_data["scope"] == "enabled":
            sources = feed_sources_enabled()
        else:
            sources = [
                s
                for s in feed_sources_by_ids(form.cleaned_data["sources"])
                if source_is_syncable(s.kind, s.url)
            ]
        if not sources:
            errors = [_("No selected source has a URL to download from.")]
            return render(request, TEMPLATE, _context(sync_errors=errors), status=400)
        names = feeds_sync_request(sources, actor=acting_user(request))
        messages.success(request, _("Sync queued for: %(names)s.") % {"names": ", ".join(names)})
        return redirect("console:feeds:list")


class FeedUploadView(OperatorRequiredMixin, View):
    """Import a file (air-gapped installations); the import runs in the request."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FeedUploadForm(request.POST, request.FILES)
        if form.is_valid():
            chosen = form.cleaned_data["feed_format"]
            try:
                runs = feed_upload_import(
                    form.cleaned_data["upload"],
                    feed_format=FeedFormat(chosen) if chosen else None,
                    source_name=form.cleaned_data["source_name"],
                    actor=acting_user(request),
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                return render(request, TEMPLATE, _context(imported=runs))
        return render(request, TEMPLATE, _context(upload_form=form))


class FeedRunView(OperatorRequiredMixin, View):
    """One run with every rejection kept (record id, reason, location)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            run = feed_sync_get(pk)
        except FeedSync.DoesNotExist:
            raise Http404 from None
        return render(request, "advisories/console/feed_run.html", {"run": run})
