"""Login, logout and the language switch, with their audit entries."""

from __future__ import annotations

import pytest
from django.test import Client

from patchdesk.desk.accounts.models import User
from patchdesk.desk.core.models import AuditEntry
from patchdesk_testing.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_is_audited_and_lands_in_the_right_area(operator: User) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": operator.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/console/"
    assert AuditEntry.objects.filter(action="user.login", actor=operator).count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ja", "正しいユーザー名とパスワードを入力してください"),
        ("en", "Please enter a correct username and password"),
    ],
)
def test_wrong_password_is_refused_in_the_users_language(
    operator: User, language: str, message: str
) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": operator.username, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action="user.login").exists()


def test_logout_is_audited(operator_client: Client, operator: User) -> None:
    response = operator_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="user.logout", actor=operator).count() == 1
    assert operator_client.get("/console/").status_code == 302


def test_language_switch_is_saved_for_the_user(
    customer_client: Client, customer_user: User
) -> None:
    response = customer_client.post(
        "/accounts/language/", {"language": "en", "next": "/portal/"}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    customer_user.refresh_from_db()
    assert customer_user.language == "en"
    page = customer_client.get("/portal/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Welcome" in page, "the saved preference wins over the browser's language"
    entry = AuditEntry.objects.get(action="user.language")
    assert entry.changes == {"language": ["", "en"]}


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(
    customer_client: Client, customer_user: User
) -> None:
    response = customer_client.post(
        "/accounts/language/", {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    customer_user.refresh_from_db()
    assert customer_user.language == ""


def test_anonymous_language_switch_sets_a_cookie() -> None:
    client = Client()
    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "en"
    assert "<h1>Log in</h1>" in client.get("/accounts/login/").content.decode()


def test_health_answers_without_login() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
