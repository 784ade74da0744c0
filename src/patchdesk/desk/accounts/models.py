"""People who log in: the provider's operators and the customers' users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    CUSTOMER = "customer", _("Customer user")


class CustomerRole(models.TextChoices):
    ADMIN = "admin", _("Customer admin")
    MEMBER = "member", _("Customer member")


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
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The company a customer user belongs to; empty for operators."),
    )
    customer_role = models.CharField(
        _("role at the customer"),
        max_length=16,
        choices=CustomerRole.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="operator", customer__isnull=True)
                    | models.Q(role="customer", customer__isnull=False)
                ),
                name="user_customer_matches_role",
            )
        ]

    @property
    def is_operator(self) -> bool:
        return self.is_active and self.role == Role.OPERATOR

    @property
    def is_customer_user(self) -> bool:
        return self.is_active and self.role == Role.CUSTOMER and self.customer_id is not None
