"""The operators' customer pages: list, detail (contacts, servers, contracts, users), edits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.contracts.selectors import contract_list
from patchdesk.desk.contracts.views._common import acting_user, add_service_error
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.customers.forms import ContactForm, CustomerForm, CustomerUserForm
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import (
    contact_get,
    contact_list,
    customer_get,
    customer_list,
    customer_user_list,
    server_list,
)
from patchdesk.desk.customers.services import (
    CUSTOMER_FIELDS,
    contact_add,
    contact_remove,
    customer_create,
    customer_update,
    customer_user_create,
)

__all__ = [
    "ContactAddView",
    "ContactRemoveView",
    "CustomerCreateView",
    "CustomerDetailView",
    "CustomerEditView",
    "CustomerListView",
    "CustomerUserAddView",
]


def _customer_or_404(request: HttpRequest, pk: int) -> Customer:
    try:
        return customer_get(pk, actor=acting_user(request))
    except Customer.DoesNotExist:
        raise Http404 from None


class CustomerListView(OperatorRequiredMixin, TemplateView):
    template_name = "customers/customer_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        search = self.request.GET.get("q", "").strip()
        context["customers"] = customer_list(actor=acting_user(self.request), search=search)
        context["q"] = search
        return context


class CustomerCreateView(OperatorRequiredMixin, View):
    template_name = "customers/customer_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CustomerForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CustomerForm(request.POST)
        if form.is_valid():
            try:
                customer = customer_create(**form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The customer has been created."))
                return redirect("console:customers:detail", pk=customer.pk)
        return render(request, self.template_name, {"form": form})


class CustomerEditView(OperatorRequiredMixin, View):
    template_name = "customers/customer_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = _customer_or_404(request, pk)
        initial = {key: getattr(customer, key) for key in CUSTOMER_FIELDS}
        return render(
            request,
            self.template_name,
            {"form": CustomerForm(initial=initial), "customer": customer},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = _customer_or_404(request, pk)
        form = CustomerForm(request.POST)
        if form.is_valid():
            try:
                customer_update(customer, **form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The customer has been saved."))
                return redirect("console:customers:detail", pk=customer.pk)
        return render(request, self.template_name, {"form": form, "customer": customer})


def _detail_context(request: HttpRequest, customer: Customer, **forms: Any) -> dict[str, Any]:
    actor = acting_user(request)
    return {
        "customer": customer,
        "contacts": contact_list(customer=customer),
        "servers": server_list(actor=actor, customer=customer),
        "contracts": contract_list(actor=actor, customer=customer),
        "users": customer_user_list(customer=customer),
        "contact_form": forms.get("contact_form")
        or ContactForm(initial={"language": customer.language}),
        "user_form": forms.get("user_form")
        or CustomerUserForm(initial={"language": customer.language}),
        "new_password": forms.get("new_password"),
        "new_user": forms.get("new_user"),
    }


class CustomerDetailView(OperatorRequiredMixin, View):
    template_name = "customers/customer_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = _customer_or_404(request, pk)
        return render(request, self.template_name, _detail_context(request, customer))


class ContactAddView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = _customer_or_404(request, pk)
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact_add(customer, **form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The contact has been added."))
                return redirect("console:customers:detail", pk=customer.pk)
        return render(
            request,
            CustomerDetailView.template_name,
            _detail_context(request, customer, contact_form=form),
        )


class ContactRemoveView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
        customer = _customer_or_404(request, pk)
        contact = contact_get(contact_pk, customer=customer)
        if contact is None:
            raise Http404
        contact_remove(contact, actor=acting_user(request))
        messages.success(request, _("The contact has been removed."))
        return redirect("console:customers:detail", pk=customer.pk)


class CustomerUserAddView(OperatorRequiredMixin, View):
    """A portal account; its first password is shown once, on this response only."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = _customer_or_404(request, pk)
        form = CustomerUserForm(request.POST)
        if form.is_valid():
            try:
                user, password = customer_user_create(
                    customer, **form.cleaned_data, actor=acting_user(request)
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                response = render(
                    request,
                    CustomerDetailView.template_name,
                    _detail_context(request, customer, new_user=user, new_password=password),
                )
                response["Cache-Control"] = "no-store"
                return response
        return render(
            request,
            CustomerDetailView.template_name,
            _detail_context(request, customer, user_form=form),
        )
