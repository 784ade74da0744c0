"""The portal home: customer users only, in Japanese and English."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "greeting", "service"),
    [
        ("ja", "ようこそ、sakura-admin さん", "セキュリティアップデートサービス"),
        ("en", "Welcome, sakura-admin", "Security Update Service"),
    ],
)
def test_portal_home_in_both_languages(
    customer_client: Client, language: str, greeting: str, service: str
) -> None:
    response = customer_client.get("/portal/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert greeting in html
    assert service in html


def test_portal_is_closed_to_operators(operator_client: Client) -> None:
    assert operator_client.get("/portal/").status_code == 403
