"""What one scan learned about one server: its platform, packages and everything around them.

A :class:`HostInventory` is the result of collecting a server over SSH (or locally). It is
produced by :mod:`patchdesk.engine.collect`, saved as an inventory document, and later matched
against advisories. A failed scan is still a :class:`HostInventory`, with :attr:`error` set:
one host's failure never stops a batch, and the desk records it (R14: "credentials changed").
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from patchdesk.engine.model.platform import Platform

__all__ = [
    "CollectionWarning",
    "HostInventory",
    "HostKey",
    "InstalledKernel",
    "InstalledPackage",
    "KernelInfo",
    "OriginClass",
    "OutOfScopeItem",
    "OutOfScopeKind",
    "PackageOrigin",
    "RestartCheckMethod",
    "RestartInfo",
    "RpmDetails",
    "ScanError",
    "ScanErrorCode",
    "ServiceRestart",
    "TlsKey",
    "TlsService",
    "WebServer",
]


class ScanErrorCode(enum.StrEnum):
    """Why a server could not be scanned. The desk turns each code into an operator message."""

    UNREACHABLE = "unreachable"  # no TCP connection (refused, no route, name unknown)
    TIMEOUT = "timeout"  # connecting or a command took longer than allowed
    AUTH_REJECTED = "auth_rejected"  # the server refused the credentials: they changed (R14)
    HOST_KEY_CHANGED = "host_key_changed"  # not the pinned key: hard stop until accepted
    PERMISSION_DENIED = "permission_denied"  # sudo refused (password wrong, not in sudoers)
    UNSUPPORTED_OS = "unsupported_os"  # unknown or unsupported OS release: never guessed
    COMMAND_FAILED = "command_failed"  # a required command failed (e.g. dpkg-query missing)
    INTERNAL_ERROR = "internal_error"  # a defect in patchdesk; the other hosts still go on


class OriginClass(enum.StrEnum):
    """Where an installed package came from, as far as the service is concerned (R3)."""

    OS_VENDOR = "os_vendor"  # the distribution's own repositories: in scope
    PROVIDER = "provider"  # the hosting provider's own repository (configured)
    THIRD_PARTY = "third_party"  # any other repository or vendor: out of scope
    LOCAL = "local"  # in no repository: a locally installed .deb or .rpm ("none")
    UNKNOWN = "unknown"  # the host could not tell (no apt-cache / dnf / yum output)


class OutOfScopeKind(enum.StrEnum):
    EXECUTABLE = "executable"  # a file with an execute bit that no package owns
    LIBRARY = "library"  # a shared object that no package owns
    PROCESS = "process"  # a running process whose binary no package owns


class RestartCheckMethod(enum.StrEnum):
    """How the services needing a restart were found."""

    NEEDRESTART = "needrestart"  # Debian/Ubuntu ``needrestart -b``
    NEEDS_RESTARTING = "needs-restarting"  # RHEL family ``needs-restarting -s``
    PROC_MAPS = "proc-maps"  # deleted files mapped by running processes (fallback)
    NONE = "none"  # nothing could be checked (no privileges and no tool)


class WebServer(enum.StrEnum):
    APACHE = "apache"
    NGINX = "nginx"


@dataclass(frozen=True, slots=True, kw_only=True)
class HostKey:
    """A server's SSH host key as the transport observed it (pinned on first contact)."""

    algorithm: str  # "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"
    public_key: str  # one OpenSSH line: "ssh-ed25519 AAAAC3..."
    fingerprint: str  # "SHA256:..." as ssh-keygen -l prints it


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageOrigin:
    """Where a package came from, and the evidence: the repository and its label or vendor."""

    kind: OriginClass
    repository: str = ""  # apt: "http://mirror/debian bookworm-security/main"; dnf: repo id
    label: str = ""  # apt: release origin/label ("Debian", "Debian-Security"); rpm: vendor


@dataclass(frozen=True, slots=True, kw_only=True)
class RpmDetails:
    """The rpm header fields kept beside the combined version (rpm hosts only)."""

    epoch: int
    version: str
    release: str
    vendor: str = ""
    source_rpm: str = ""  # "openssl-3.0.7-27.el9.src.rpm"


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledPackage:
    """One installed binary package.

    ``version`` is in the platform's scheme, ready for :mod:`patchdesk.engine.versions`: the
    dpkg version as dpkg prints it (``1:9.2p1-2+deb12u10``), or rpm's ``[epoch:]version-release``
    with the epoch only when it is not 0 (``1:3.0.7-27.el9``), as vendors' advisories write it.
    ``source_name``/``source_version`` name the source package advisories are published for.
    """

    name: str
    version: str
    arch: str
    source_name: str
    source_version: str
    origin: PackageOrigin
    rpm: RpmDetails | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledKernel:
    """A kernel package and the ``uname -r`` it boots as."""

    package: str  # "linux-image-6.1.0-18-amd64", "kernel-core"
    version: str  # the package version
    kernel_release: str  # what ``uname -r`` prints when it runs: "6.1.0-18-amd64"


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelInfo:
    """The running kernel against the installed kernel packages.

    ``is_running_packaged`` is False when no installed package provides the running kernel:
    a container, a custom kernel, or a kernel removed since boot. ``newer_installed`` lists
    installed kernels newer than the running one (a reboot would switch to the newest).
    """

    running_release: str
    running_version: str = ""
    installed: tuple[InstalledKernel, ...] = ()
    running_package: str = ""
    is_running_packaged: bool = False
    newer_installed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRestart:
    """A service (or a process without a unit) still running code that was replaced on disk."""

    name: str  # systemd unit ("nginx.service"), or the process name when there is none
    pids: tuple[int, ...] = ()
    deleted_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RestartInfo:
    """Whether the server needs a reboot, and which services need a restart.

    ``reboot_required`` is None when nothing could tell (no tool, no privileges).
    """

    reboot_required: bool | None
    reboot_reasons: tuple[str, ...] = ()
    reboot_packages: tuple[str, ...] = ()  # Debian's /var/run/reboot-required.pkgs
    services: tuple[ServiceRestart, ...] = ()
    method: RestartCheckMethod = RestartCheckMethod.NONE


@dataclass(frozen=True, slots=True, kw_only=True)
class OutOfScopeItem:
    """Software the service does not update (R5): built from source or copied in by hand."""

    kind: OutOfScopeKind
    path: str
    reason: str  # "under /usr/local, owned by no package"
    pids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsKey:
    """A TLS private key named by a web server's configuration."""

    path: str
    config_file: str
    line: int
    is_encrypted: bool | None  # None: the key could not be read (missing, no privileges)


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsService:
    """One web server's TLS keys and how it gets their passphrase (R13).

    ``passphrase_source`` is ``builtin`` (Apache's default: asks on the terminal), ``exec:PATH``
    (Apache runs a program), ``ssl_password_file:PATH`` (nginx reads a file) or ``prompt``
    (nginx without a password file asks on the terminal). ``needs_passphrase`` is True when an
    encrypted key is configured and nothing supplies its passphrase automatically: restarting the
    service after an update needs a person to type it.
    """

    server: WebServer
    service: str  # the service name on the host: "apache2", "httpd", "nginx"
    passphrase_source: str
    keys: tuple[TlsKey, ...] = ()
    needs_passphrase: bool = False

    @property
    def has_encrypted_key(self) -> bool:
        return any(key.is_encrypted for key in self.keys)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanError:
    """Why a scan failed: a code for the desk, a one-line English message, and parameters."""

    code: ScanErrorCode
    message: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionWarning:
    """Something the scan skipped or rejected but survived: counted, with a few examples.

    ``code`` examples: ``rejected_lines`` (garbled or hostile output lines), ``truncated``
    (output above the size limit), ``optional_command_failed``, ``not_privileged``.
    """

    source: str  # the command or check: "dpkg-query", "apt-cache policy", "proc-maps"
    code: str
    count: int
    message: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HostInventory:
    """Everything one scan of one server produced; ``error`` set means the scan failed.

    ``target`` is how the server was reached (``ssh://deploy@web1:22``, ``local``), never with a
    secret in it. Timestamps are timezone-aware.
    """

    target: str
    started_at: datetime
    finished_at: datetime
    hostname: str = ""
    platform: Platform | None = None
    packages: tuple[InstalledPackage, ...] = ()
    kernel: KernelInfo | None = None
    restart: RestartInfo | None = None
    out_of_scope: tuple[OutOfScopeItem, ...] = ()
    tls: tuple[TlsService, ...] = ()
    host_key: HostKey | None = None
    is_privileged: bool = False  # root, or sudo worked: process and key checks are complete
    error: ScanError | None = None
    warnings: tuple[CollectionWarning, ...] = ()

    @property
    def is_ok(self) -> bool:
        return self.error is None

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()
