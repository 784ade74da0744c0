"""Reads of customers, contacts, customer users and their servers, scoped to the actor."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet

from patchdesk.desk.accounts.models import Role, User
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.desk.fleet.models import Server

__all__ = [
    "contact_get",
    "contact_list",
    "customer_get",
    "customer_list",
    "customer_user_list",
    "scope_to_actor",
    "server_list",
]

M = TypeVar("M", bound=Model)


def scope_to_actor(queryset: QuerySet[M], *, actor: User, field: str = "customer") -> QuerySet[M]:
    """Operators see every row, a customer user only their customer's rows, others none."""
    if actor.is_operator:
        return queryset
    if actor.is_customer_user:
        return queryset.filter(**{field: actor.customer_id})
    return queryset.none()


def customer_list(*, actor: User, search: str = "") -> QuerySet[Customer]:
    queryset = scope_to_actor(Customer.objects.all(), actor=actor, field="pk").annotate(
        server_count=Count("servers", distinct=True)
    )
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return queryset


def customer_get(pk: int, *, actor: User) -> Customer:
    return scope_to_actor(Customer.objects.all(), actor=actor, field="pk").get(pk=pk)


def contact_list(*, customer: Customer) -> QuerySet[Contact]:
    return Contact.objects.filter(customer=customer)


def contact_get(pk: int, *, customer: Customer) -> Contact | None:
    return contact_list(customer=customer).filter(pk=pk).first()


def customer_user_list(*, customer: Customer) -> QuerySet[User]:
    return User.objects.filter(customer=customer, role=Role.CUSTOMER).order_by("username")


def server_list(*, actor: User, customer: Customer | None = None) -> QuerySet[Server]:
    queryset = scope_to_actor(Server.objects.select_related("platform", "customer"), actor=actor)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    return queryset.order_by("customer__name", "name")
