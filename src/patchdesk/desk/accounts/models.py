"""People who log in: the provider's operators and the customers' users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    CUSTOMER = "customer", _("Customer user")


class Language(models.TextChoices):
    JAPANESE = "ja", "日本語"
    ENGLISH = "en", "English"


class User(AbstractUser):
    """A login. Operators work in the console; customer users only see the portal.

    The role defaults to the least privileged one; operators are made explicitly
    (``patchdesk operator create`` or an existing operator).
    """

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("Language of the desk and of mail; empty means the browser's choice."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_operator(self) -> bool:
        return self.is_active and self.role == Role.OPERATOR

    @property
    def is_customer_user(self) -> bool:
        return self.is_active and self.role == Role.CUSTOMER
