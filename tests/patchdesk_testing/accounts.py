"""Users for tests."""

from __future__ import annotations

from patchdesk.desk.accounts.models import Role, User

PASSWORD = "a-long-test-password-42"


def operator_make(username: str = "ops-tanaka") -> User:
    return User.objects.create_user(username, password=PASSWORD, role=Role.OPERATOR)


def customer_user_make(username: str = "sakura-admin") -> User:
    return User.objects.create_user(username, password=PASSWORD, role=Role.CUSTOMER)
