"""Writing services for accounts: operators, language preference, login records."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import Language, Role, User
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.core.services import audit_record

__all__ = [
    "OperatorExistsError",
    "PasswordRejectedError",
    "UnknownLanguageError",
    "operator_create",
    "password_generate",
    "user_language_set",
    "user_login_record",
    "user_logout_record",
]


class OperatorExistsError(PatchdeskError):
    code = "user_exists"
    message_format = _("A user named %(username)s already exists.")


class UnknownLanguageError(PatchdeskError):
    code = "unknown_language"
    message_format = _("%(language)s is not a language of the desk.")


class PasswordRejectedError(PatchdeskError):
    code = "password_rejected"
    message_format = _("The password is not acceptable: %(reasons)s")


def password_generate() -> str:
    """A random password that passes the validators (for the first operator)."""
    return secrets.token_urlsafe(18)


@transaction.atomic
def operator_create(
    username: str, *, password: str, email: str = "", acting_user: User | None = None
) -> User:
    """Create an operator account. The password is checked by Django's validators."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise OperatorExistsError(username=username)
    user = User(username=username, email=email, role=Role.OPERATOR, is_staff=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise PasswordRejectedError(reasons=" ".join(exc.messages)) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=acting_user,
        action="operator.create",
        obj=user,
        changes={"username": username, "role": Role.OPERATOR},
        actor_label="" if acting_user else "command line",
    )
    return user


@transaction.atomic
def user_language_set(user: User, *, language: str) -> User:
    """Remember the user's language for the desk and for mail."""
    if language not in Language.values:
        raise UnknownLanguageError(language=language)
    before = user.language
    if before == language:
        return user
    user.language = language
    user.save(update_fields=["language"])
    audit_record(
        actor=user, action="user.language", obj=user, changes={"language": [before, language]}
    )
    return user


@transaction.atomic
def user_login_record(user: User, *, remote_addr: str) -> None:
    audit_record(actor=user, action="user.login", obj=user, changes={"remote_addr": remote_addr})


@transaction.atomic
def user_logout_record(user: User, *, remote_addr: str) -> None:
    audit_record(actor=user, action="user.logout", obj=user, changes={"remote_addr": remote_addr})
