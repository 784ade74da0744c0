"""Writing services for customers, their contacts and their portal users."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import CustomerRole, Language, Role, User
from patchdesk.desk.accounts.services import password_generate
from patchdesk.desk.core.errors import PatchdeskError, PermissionDeniedError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.customers.models import Contact, Customer

__all__ = [
    "CUSTOMER_FIELDS",
    "CustomerExistsError",
    "UnknownTimeZoneError",
    "UsernameTakenError",
    "contact_add",
    "contact_remove",
    "customer_create",
    "customer_update",
    "customer_user_create",
]

CUSTOMER_FIELDS = (
    "name",
    "code",
    "language",
    "time_zone",
    "is_active",
    "phone",
    "billing_name",
    "postal_code",
    "billing_address",
    "note",
)


class CustomerExistsError(PatchdeskError):
    code = "customer_exists"
    message_format = _("A customer with this name or code already exists.")


class UsernameTakenError(PatchdeskError):
    code = "username_taken"
    message_format = _("The user name %(username)s is already taken.")


class UnknownTimeZoneError(PatchdeskError):
    code = "unknown_time_zone"
    message_format = _("%(time_zone)s is not a known time zone.")


def _check_operator(actor: User | None) -> None:
    if actor is not None and not actor.is_operator:
        raise PermissionDeniedError


def _check_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise UnknownTimeZoneError(time_zone=name)


@transaction.atomic
def customer_create(*, actor: User | None, **fields: Any) -> Customer:
    _check_operator(actor)
    values = {key: fields[key] for key in CUSTOMER_FIELDS if key in fields}
    _check_time_zone(values.get("time_zone", "Asia/Tokyo"))
    name, code = values["name"].strip(), values["code"].strip()
    if (
        Customer.objects.filter(name__iexact=name).exists()
        or Customer.objects.filter(code__iexact=code).exists()
    ):
        raise CustomerExistsError
    customer = Customer.objects.create(**{**values, "name": name, "code": code})
    audit_record(actor=actor, action="customer.create", obj=customer, changes={"code": code})
    return customer


@transaction.atomic
def customer_update(customer: Customer, *, actor: User | None, **fields: Any) -> Customer:
    _check_operator(actor)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if "time_zone" in fields:
        _check_time_zone(fields["time_zone"])
    clashes = Customer.objects.exclude(pk=customer.pk)
    if ("name" in fields and clashes.filter(name__iexact=fields["name"]).exists()) or (
        "code" in fields and clashes.filter(code__iexact=fields["code"]).exists()
    ):
        raise CustomerExistsError
    changes = {}
    for key in CUSTOMER_FIELDS:
        if key in fields and getattr(customer, key) != fields[key]:
            changes[key] = [getattr(customer, key), fields[key]]
            setattr(customer, key, fields[key])
    if changes:
        customer.save()
        audit_record(actor=actor, action="customer.update", obj=customer, changes=changes)
    return customer


@transaction.atomic
def contact_add(
    customer: Customer,
    *,
    name: str,
    email: str,
    actor: User | None,
    phone: str = "",
    language: str = Language.JAPANESE,
    time_zone: str = "Asia/Tokyo",
    receives_notices: bool = True,
    is_billing_contact: bool = False,
) -> Contact:
    _check_operator(actor)
    _check_time_zone(time_zone)
    contact = Contact.objects.create(
        customer=customer,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone,
        language=language,
        time_zone=time_zone,
        receives_notices=receives_notices,
        is_billing_contact=is_billing_contact,
    )
    audit_record(
        actor=actor,
        action="customer.contact_add",
        obj=customer,
        changes={"contact": contact.email, "language": language},
    )
    return contact


@transaction.atomic
def contact_remove(contact: Contact, *, actor: User | None) -> None:
    _check_operator(actor)
    audit_record(
        actor=actor,
        action="customer.contact_remove",
        obj=contact.customer,
        changes={"contact": contact.email},
    )
    contact.delete()


@transaction.atomic
def customer_user_create(
    customer: Customer,
    *,
    username: str,
    email: str,
    customer_role: str,
    language: str,
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
) -> tuple[User, str]:
    """A portal account for one of the customer's people; returns it and its first password.

    The password is shown once to the operator (to hand over) and is never stored in clear.
    """
    _check_operator(actor)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTakenError(username=username)
    password = password_generate()
    user = User.objects.create_user(
        username,
        email=email.strip(),
        password=password,
        role=Role.CUSTOMER,
        customer=customer,
        customer_role=CustomerRole(customer_role),
        language=language,
        first_name=first_name,
        last_name=last_name,
    )
    audit_record(
        actor=actor,
        action="customer.user_create",
        obj=user,
        changes={"customer": customer.code, "customer_role": customer_role},
    )
    return user, password
