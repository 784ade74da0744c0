"""Users and customers for tests."""

from __future__ import annotations

from patchdesk.desk.accounts.models import CustomerRole, Role, User
from patchdesk.desk.customers.models import Customer

PASSWORD = "a-long-test-password-42"


def operator_make(username: str = "ops-tanaka") -> User:
    return User.objects.create_user(username, password=PASSWORD, role=Role.OPERATOR)


def customer_make(code: str = "sakura-web", name: str = "Sakura Web K.K.") -> Customer:
    return Customer.objects.get_or_create(code=code, defaults={"name": name})[0]


def customer_user_make(
    username: str = "sakura-admin",
    *,
    customer: Customer | None = None,
    customer_role: str = CustomerRole.ADMIN,
) -> User:
    return User.objects.create_user(
        username,
        password=PASSWORD,
        role=Role.CUSTOMER,
        customer=customer or customer_make(),
        customer_role=customer_role,
    )
