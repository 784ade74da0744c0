"""Customer servers (OS instances) under management."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.customers.models import Customer
from patchdesk.desk.platforms.models import SupportedPlatform


class Server(models.Model):
    """One OS instance (a virtual or physical server): the contract unit (R10)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="servers"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. web1"))
    address = models.CharField(
        _("address"), max_length=253, help_text=_("Host name or IP address for SSH.")
    )
    ssh_port = models.PositiveIntegerField(_("SSH port"), default=22)
    platform = models.ForeignKey(
        SupportedPlatform,
        verbose_name=_("platform"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="servers",
        help_text=_("Detected by the last successful scan."),
    )
    is_managed = models.BooleanField(_("under management"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_scan = models.ForeignKey(
        "fleet.Scan",
        verbose_name=_("last successful scan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("server")
        verbose_name_plural = _("servers")
        ordering = ["customer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="server_customer_name")
        ]

    def __str__(self) -> str:
        return f"{self.customer.code}/{self.name}"


class AuthMethod(models.TextChoices):
    KEY = "key", _("SSH key")
    PASSWORD = "password", _("Password")


class ElevationChoice(models.TextChoices):
    """How the login becomes root (engine: ``patchdesk.engine.transport.Elevation``)."""

    NONE = "none", _("Log in as root (no sudo)")
    SUDO = "sudo", _("sudo without a password")
    SUDO_PASSWORD = "sudo_password", _("sudo with a password")


class Credential(models.Model):
    """How the provider logs in to a server (R14). Secrets are encrypted and never shown back."""

    server = models.OneToOneField(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="credential"
    )
    username = models.CharField(_("user name"), max_length=64)
    auth_method = models.CharField(_("authentication"), max_length=16, choices=AuthMethod.choices)
    secret = models.BinaryField(_("private key or password (encrypted)"), editable=False)
    key_passphrase = models.BinaryField(
        _("key passphrase (encrypted)"), null=True, blank=True, editable=False
    )
    elevation = models.CharField(_("root access"), max_length=16, choices=ElevationChoice.choices)
    sudo_password = models.BinaryField(
        _("sudo password (encrypted)"), null=True, blank=True, editable=False
    )
    jump_host = models.CharField(
        _("jump host"),
        max_length=300,
        blank=True,
        help_text=_("user@host:port of a bastion reached with the same credentials."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    rejected_at = models.DateTimeField(
        _("rejected at"),
        null=True,
        blank=True,
        help_text=_("When the server last refused these credentials (R14)."),
    )

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    def __str__(self) -> str:
        return f"{self.username}@{self.server}"


class HostKey(models.Model):
    """A server's SSH host key: pinned on first contact; a changed key waits for an operator."""

    class Status(models.TextChoices):
        PINNED = "pinned", _("pinned")
        PENDING = "pending", _("changed, waiting for an operator")
        RETIRED = "retired", _("retired")

    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="host_keys"
    )
    algorithm = models.CharField(_("algorithm"), max_length=64)
    public_key = models.TextField(_("public key"))
    fingerprint = models.CharField(_("fingerprint"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("host key")
        verbose_name_plural = _("host keys")
        ordering = ["-first_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["server"],
                condition=models.Q(status="pinned"),
                name="hostkey_one_pinned_per_server",
            )
        ]

    def __str__(self) -> str:
        return f"{self.server} {self.fingerprint} ({self.status})"


class Scan(models.Model):
    """One collection run on one server, with the inventory document it produced."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="scans"
    )
    trigger = models.CharField(_("trigger"), max_length=32)  # manual, scheduled, import, work
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    platform_key = models.CharField(_("platform"), max_length=64, blank=True)
    package_count = models.PositiveIntegerField(_("packages"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    is_privileged = models.BooleanField(_("privileged"), default=False)
    facts = models.JSONField(
        _("facts"), default=dict, blank=True, help_text=_("Kernel, restarts, TLS, warnings.")
    )
    document = models.BinaryField(
        _("inventory document (gzip)"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["server", "-queued_at"], name="scan_server_recent")]

    def __str__(self) -> str:
        return f"{self.server} {self.queued_at:%Y-%m-%d %H:%M} {self.status}"


class InstalledPackage(models.Model):
    """A package on a server as its latest successful scan found it."""

    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="packages"
    )
    scan = models.ForeignKey(
        Scan, verbose_name=_("scan"), on_delete=models.CASCADE, related_name="packages"
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=200)
    arch = models.CharField(_("architecture"), max_length=32)
    source_name = models.CharField(_("source package"), max_length=200)
    source_version = models.CharField(_("source version"), max_length=200)
    origin = models.CharField(_("origin"), max_length=16)
    origin_label = models.CharField(_("origin label"), max_length=200, blank=True)
    origin_repository = models.CharField(_("repository"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("installed package")
        verbose_name_plural = _("installed packages")
        ordering = ["name"]
        indexes = [models.Index(fields=["server", "name"], name="installed_server_name")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class OutOfScopeSoftware(models.Model):
    """Software built from source or copied in, which the service does not update (R5)."""

    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="out_of_scope"
    )
    scan = models.ForeignKey(Scan, verbose_name=_("scan"), on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=16)
    path = models.CharField(_("path"), max_length=1000)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("out-of-scope software")
        verbose_name_plural = _("out-of-scope software")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


class TlsPassphrase(models.Model):
    """An SSL passphrase a web server needs to restart (R13): encrypted, write-only."""

    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="passphrases"
    )
    service = models.CharField(_("service"), max_length=64, help_text=_("e.g. apache2, nginx"))
    passphrase = models.BinaryField(_("passphrase (encrypted)"), editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("SSL passphrase")
        verbose_name_plural = _("SSL passphrases")
        constraints = [
            models.UniqueConstraint(fields=["server", "service"], name="passphrase_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.server} {self.service}"
