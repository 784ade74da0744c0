"""The console home: operators only, in Japanese and English."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "jobs_label"),
    [("ja", "コンソール", "バックグラウンドジョブ"), ("en", "Console", "Background jobs")],
)
def test_console_home_in_both_languages(
    operator_client: Client, language: str, title: str, jobs_label: str
) -> None:
    response = operator_client.get("/console/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html
    assert jobs_label in html


def test_console_is_closed_to_customers_and_anonymous(customer_client: Client) -> None:
    assert customer_client.get("/console/").status_code == 403
    anonymous = Client().get("/console/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/console/")


def test_home_sends_each_role_to_its_area(operator_client: Client, customer_client: Client) -> None:
    assert operator_client.get("/")["Location"] == "/console/"
    assert customer_client.get("/")["Location"] == "/portal/"
