"""Work in the console: the day's work orders and the operators' load per hour, paused
servers, one order with its runs of the remediation engine (started here, progress polled),
a run's full record, and the manual start, result and cancel."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.cases.services import server_resume
from patchdesk.desk.cases.views_common import form_errors, refuse
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.work.forms import CancelForm, ResultForm, RunForm
from patchdesk.desk.work.models import WorkOrder, WorkRun
from patchdesk.desk.work.selectors import (
    paused_states,
    window_load,
    work_order_get,
    work_order_list,
    work_orders_due,
    work_run_get,
    work_run_record,
    work_runs_of_order,
)
from patchdesk.desk.work.services import (
    work_order_cancel,
    work_order_result_record,
    work_order_start,
    work_run_request,
)

__all__ = [
    "ServerResumeView",
    "WorkOrderActionView",
    "WorkOrderDetailView",
    "WorkOrderListView",
    "WorkOrderRunView",
    "WorkOrderRunsView",
    "WorkRunDetailView",
    "WorkRunsDueView",
]


def _order_or_404(request: HttpRequest, pk: int) -> WorkOrder:
    try:
        return work_order_get(pk, actor=acting_user(request))
    except WorkOrder.DoesNotExist:
        raise Http404 from None


class WorkOrderListView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        calendar = business_calendar()
        today = calendar.local_date(timezone.now())
        try:
            day = (
                date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
            )
        except ValueError:
            day = today
        actor = acting_user(request)
        return render(
            request,
            "work/console/order_list.html",
            {
                "day": day,
                "previous_day": day - timedelta(days=1),
                "next_day": day + timedelta(days=1),
                "is_today": day == today,
                "orders": work_order_list(actor=actor, day=day),
                "upcoming": work_order_list(actor=actor, upcoming=True)[:100],
                "load": window_load(day),
                "paused": paused_states(),
                "due": work_orders_due().count(),
            },
        )


class WorkOrderDetailView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = _order_or_404(request, pk)
        return render(
            request,
            "work/console/order_detail.html",
            {
                "order": order,
                "result_form": ResultForm(),
                "cancel_form": CancelForm(),
                "run_form": RunForm(),
                "state": getattr(order.server, "service_state", None),
                **_runs_context(order),
            },
        )


def _runs_context(order: WorkOrder) -> dict[str, object]:
    runs = list(work_runs_of_order(order))
    return {"runs": runs, "is_running": any(run.is_active for run in runs)}


class WorkOrderRunsView(OperatorRequiredMixin, View):
    """The order's runs (polled by the order page while one is queued or running)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = _order_or_404(request, pk)
        context = _runs_context(order)
        response = render(request, "work/console/_runs.html", {"order": order, **context})
        if request.GET.get("polling") and not context["is_running"]:
            response["HX-Refresh"] = "true"  # the run ended: the order page shows its result
        return response


class WorkOrderRunView(OperatorRequiredMixin, View):
    """Start the remediation engine on the order's server now (inside its window)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = _order_or_404(request, pk)
        form = RunForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect("console:work:detail", pk=order.pk)
        try:
            work_run_request(
                order,
                actor=acting_user(request),
                restart_services=form.cleaned_data["restart_services"],
                allow_reboot=form.cleaned_data["allow_reboot"],
            )
            messages.success(request, _("The update is queued; its progress is shown below."))
        except PatchdeskError as exc:
            refuse(request, None, exc)
        return redirect("console:work:detail", pk=order.pk)


class WorkRunsDueView(OperatorRequiredMixin, View):
    """Start every order whose window is open now (they run together, a bounded number of
    servers at once), each with the default run options."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        actor = acting_user(request)
        started, refused = 0, []
        for order in work_orders_due():
            try:
                work_run_request(order, actor=actor)
                started += 1
            except PatchdeskError as exc:
                refused.append(f"{order.number}: {exc.message}")
        if started:
            messages.success(request, _("%(count)d work orders queued.") % {"count": started})
        for line in refused:
            messages.error(request, line)
        if not started and not refused:
            messages.info(request, _("No work order has its window open now."))
        return redirect("console:work:list")


class WorkRunDetailView(OperatorRequiredMixin, View):
    """One run's full record: every command with its masked output, the package changes,
    restarts and the verification of each requested item."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            run = work_run_get(pk)
        except WorkRun.DoesNotExist:
            raise Http404 from None
        return render(
            request,
            "work/console/run_detail.html",
            {
                "run": run,
                "order": run.order,
                "record": work_run_record(run),
            },
        )


class WorkOrderActionView(OperatorRequiredMixin, View):
    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = _order_or_404(request, pk)
        actor = acting_user(request)
        try:
            if self.action == "start":
                work_order_start(order, actor=actor)
                messages.success(request, _("Work started."))
            elif self.action == "result":
                form = ResultForm(request.POST)
                if not form.is_valid():
                    messages.error(request, form_errors(form))
                    return redirect("console:work:detail", pk=order.pk)
                work_order_result_record(
                    order,
                    outcome=form.cleaned_data["outcome"],
                    notes=form.cleaned_data["notes"],
                    reason_code=form.cleaned_data.get("reason_code", ""),
                    actor=actor,
                )
                messages.success(request, _("The result is recorded and the customer told."))
            else:
                cancel = CancelForm(request.POST)
                if not cancel.is_valid():
                    messages.error(request, form_errors(cancel))
                    return redirect("console:work:detail", pk=order.pk)
                work_order_cancel(order, actor=actor, reason=cancel.cleaned_data["reason"])
                messages.success(request, _("The work order is cancelled."))
        except PatchdeskError as exc:
            refuse(request, None, exc)
        return redirect("console:work:detail", pk=order.pk)


class ServerResumeView(OperatorRequiredMixin, View):
    """An operator lifts a pause (e.g. the customer gave the new password by phone and a scan
    cannot run yet); audited and the customer told."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        server = Server.objects.filter(pk=pk).first()
        if server is None:
            raise Http404
        if server_resume(server, actor=acting_user(request), source="operator"):
            messages.success(
                request, _("The service for %(server)s is resumed.") % {"server": server.name}
            )
        return redirect("console:work:list")
