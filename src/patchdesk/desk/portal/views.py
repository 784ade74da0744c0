"""The customers' portal: the home page of a customer user."""

from __future__ import annotations

from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import CustomerUserRequiredMixin


class PortalHomeView(CustomerUserRequiredMixin, TemplateView):
    template_name = "portal/home.html"
