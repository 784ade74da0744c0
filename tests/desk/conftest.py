"""Fixtures for desk tests: users of each role and logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from patchdesk.desk.accounts.models import User
from patchdesk_testing.accounts import customer_user_make, operator_make


@pytest.fixture
def operator(db: None) -> User:
    return operator_make()


@pytest.fixture
def customer_user(db: None) -> User:
    return customer_user_make()


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def customer_client(customer_user: User) -> Client:
    client = Client()
    client.force_login(customer_user)
    return client
