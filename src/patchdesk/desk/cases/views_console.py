"""The operators' side of announcements: the review queue (confirm with the response policy,
dismiss), announcement pages with resend, the flow settings, the outbox and each customer's
notification channels."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.advisories.models import Advisory
from patchdesk.desk.cases.choices import AnnouncementState, OutboxStatus, WebhookKind
from patchdesk.desk.cases.forms import (
    DismissForm,
    FlowSettingsForm,
    ListAdvisoryForm,
    ReviewForm,
    WebhookForm,
)
from patchdesk.desk.cases.models import Announcement, CustomerWebhook, FlowSettings, OutboxMessage
from patchdesk.desk.cases.outbox import outbox_retry
from patchdesk.desk.cases.selectors import (
    announcement_get,
    announcement_list,
    announcement_review_rows,
    case_list,
    contact_preferences,
    outbox_counts,
    outbox_list,
    webhook_list,
)
from patchdesk.desk.cases.services import (
    announcement_confirm,
    announcement_dismiss,
    announcement_list_for_review,
    announcement_resend,
    announcements_discover,
    contact_digest_set,
    flow_settings_update,
    webhook_add,
    webhook_remove,
)
from patchdesk.desk.cases.views_common import form_errors, refuse
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import customer_get

__all__ = [
    "AnnouncementDetailView",
    "CustomerNotificationsView",
    "FlowSettingsView",
    "OutboxView",
    "ReviewQueueView",
]


def _announcement_or_404(pk: int) -> Announcement:
    try:
        return announcement_get(pk)
    except Announcement.DoesNotExist:
        raise Http404 from None


class ReviewQueueView(OperatorRequiredMixin, View):
    """New High/Medium advisories per OS release waiting for an operator (step 1)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        pending = list(announcement_list(state=AnnouncementState.PENDING_REVIEW)[:50])
        rows = [
            (
                row,
                ReviewForm(
                    prefix=f"a{row.announcement.pk}",
                    initial={
                        "response_policy_ja": row.announcement.response_policy_ja,
                        "response_policy_en": row.announcement.response_policy_en,
                    },
                ),
            )
            for row in announcement_review_rows(pending)
        ]
        recent = announcement_list().exclude(state=AnnouncementState.PENDING_REVIEW)[:30]
        return render(
            request,
            "cases/console/review.html",
            {
                "rows": rows,
                "recent": recent,
                "list_form": ListAdvisoryForm(),
                "dismiss_form": DismissForm(),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        """Look for new advisories now, or list one advisory by id for a release."""
        actor = acting_user(request)
        if request.POST.get("action") == "discover":
            listed = announcements_discover()
            messages.success(
                request, _("%(count)s new announcements listed.") % {"count": len(listed)}
            )
            return redirect("console:review:queue")
        form = ListAdvisoryForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect("console:review:queue")
        advisory = Advisory.objects.filter(
            advisory_id=form.cleaned_data["advisory_id"].strip()
        ).first()
        if advisory is None:
            messages.error(request, _("No advisory has this id."))
            return redirect("console:review:queue")
        try:
            found = announcement_list_for_review(
                advisory, form.cleaned_data["platform_key"].strip(), actor=actor
            )
        except PatchdeskError as exc:
            refuse(request, None, exc)
            return redirect("console:review:queue")
        if found is None:
            messages.error(request, _("Its level is not High or Medium: it is not announced."))
            return redirect("console:review:queue")
        return redirect("console:review:announcement", pk=found.pk)


class AnnouncementActionView(OperatorRequiredMixin, View):
    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        announcement = _announcement_or_404(pk)
        actor = acting_user(request)
        try:
            if self.action == "confirm":
                form = ReviewForm(request.POST, prefix=f"a{announcement.pk}")
                if not form.is_valid():
                    messages.error(request, form_errors(form))
                    return redirect("console:review:queue")
                announcement_confirm(
                    announcement,
                    actor=actor,
                    response_policy_ja=form.cleaned_data["response_policy_ja"],
                    response_policy_en=form.cleaned_data["response_policy_en"],
                )
                messages.success(
                    request,
                    _("%(advisory)s is confirmed and announced for %(platform)s.")
                    % {
                        "advisory": announcement.advisory.advisory_id,
                        "platform": announcement.platform_name,
                    },
                )
            elif self.action == "dismiss":
                dismiss = DismissForm(request.POST)
                if not dismiss.is_valid():
                    messages.error(request, form_errors(dismiss))
                    return redirect("console:review:queue")
                announcement_dismiss(
                    announcement, actor=actor, reason=dismiss.cleaned_data["reason"]
                )
                messages.success(request, _("Dismissed: it is not announced."))
            else:
                announcement_resend(announcement, actor=actor)
                messages.success(request, _("Sent again: only what was missing went out."))
        except PatchdeskError as exc:
            refuse(request, None, exc)
        return redirect("console:review:announcement", pk=announcement.pk)


class AnnouncementDetailView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        announcement = _announcement_or_404(pk)
        (row,) = announcement_review_rows([announcement])
        return render(
            request,
            "cases/console/announcement.html",
            {
                "row": row,
                "announcement": announcement,
                "cases": case_list(actor=acting_user(request), announcement=announcement),
                "form": ReviewForm(
                    prefix=f"a{announcement.pk}",
                    initial={
                        "response_policy_ja": announcement.response_policy_ja,
                        "response_policy_en": announcement.response_policy_en,
                    },
                ),
                "dismiss_form": DismissForm(),
            },
        )


class FlowSettingsView(OperatorRequiredMixin, View):
    def _row(self) -> FlowSettings:
        return FlowSettings.objects.filter(pk=1).first() or FlowSettings(pk=1)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = FlowSettingsForm(instance=self._row())
        return render(request, "cases/console/settings.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FlowSettingsForm(request.POST, instance=self._row())
        if not form.is_valid():
            return render(request, "cases/console/settings.html", {"form": form})
        try:
            flow_settings_update(actor=acting_user(request), **form.cleaned_data)
        except PatchdeskError as exc:
            refuse(request, form, exc)
            return render(request, "cases/console/settings.html", {"form": form})
        messages.success(request, _("Settings saved."))
        return redirect("console:cases:settings")


class OutboxView(OperatorRequiredMixin, View):
    """Every notice and its delivery; failures first, each can be sent again now."""

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        if status not in {s.value for s in OutboxStatus}:
            status = ""
        page = Paginator(outbox_list(status=status), 100).get_page(request.GET.get("page"))
        failed = outbox_list(status=OutboxStatus.FAILED)[:50] if not status else []
        return render(
            request,
            "cases/console/outbox.html",
            {
                "page": page,
                "status": status,
                "counts": outbox_counts(),
                "failed": failed,
                "statuses": OutboxStatus.choices,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("message", "")
        message = OutboxMessage.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if message is None:
            raise Http404
        try:
            outbox_retry(message, actor=acting_user(request))
            messages.success(request, _("The message is queued to be sent now."))
        except PatchdeskError as exc:
            refuse(request, None, exc)
        return redirect("console:cases:outbox")


class CustomerNotificationsView(OperatorRequiredMixin, View):
    """A customer's webhooks and each contact's daily-digest choice."""

    def _customer(self, request: HttpRequest, pk: int) -> Customer:
        try:
            return customer_get(pk, actor=acting_user(request))
        except Customer.DoesNotExist:
            raise Http404 from None

    def _page(
        self, request: HttpRequest, customer: Customer, form: WebhookForm | None = None
    ) -> HttpResponse:
        return render(
            request,
            "cases/console/notifications.html",
            {
                "customer": customer,
                "webhooks": webhook_list(customer),
                "contacts": contact_preferences(customer),
                "form": form or WebhookForm(),
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._customer(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = self._customer(request, pk)
        actor = acting_user(request)
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = WebhookForm(request.POST)
                if not form.is_valid():
                    return self._page(request, customer, form)
                webhook_add(
                    customer,
                    kind=WebhookKind(form.cleaned_data["kind"]),
                    url=form.cleaned_data["url"],
                    actor=actor,
                )
            elif action == "remove":
                webhook = CustomerWebhook.objects.filter(
                    customer=customer, pk=request.POST.get("webhook") or 0
                ).first()
                if webhook is None:
                    raise Http404
                webhook_remove(webhook, actor=actor)
            elif action == "digest":
                wanted = {int(v) for v in request.POST.getlist("digest") if v.isdigit()}
                for contact, _current in contact_preferences(customer):
                    contact_digest_set(contact, wants_digest=contact.pk in wanted, actor=actor)
            messages.success(request, _("Saved."))
        except PatchdeskError as exc:
            refuse(request, None, exc)
        return redirect("console:cases:notifications", pk=customer.pk)


__all__ += ["AnnouncementActionView"]
