"""Login, logout and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from patchdesk.desk.accounts.forms import LanguageForm
from patchdesk.desk.accounts.models import User
from patchdesk.desk.accounts.services import (
    user_language_set,
    user_login_record,
    user_logout_record,
)


def _remote_addr(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        assert isinstance(user, User)
        user_login_record(user, remote_addr=_remote_addr(self.request))
        if user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if isinstance(request.user, User):
            user_logout_record(request.user, remote_addr=_remote_addr(request))
        return super().post(request, *args, **kwargs)


class LanguageSwitchView(View):
    """Switch the language; a logged-in user's choice is saved for the desk and for mail."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LanguageForm(request.POST)
        target = request.POST.get("next") or request.META.get("HTTP_REFERER") or reverse("home")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("home")
        if not form.is_valid():
            return redirect(target)
        language = form.cleaned_data["language"]
        if isinstance(request.user, User) and request.user.is_authenticated:
            user_language_set(request.user, language=language)
        response = HttpResponseRedirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response
