"""Build the testbed's root file system with mmdebstrap, cached between runs.

The template is a ``bookworm``-only Debian (so it has real pending security updates) with
sshd, sudo, Apache and nginx, two users and no SSH host keys (each host makes its own). It is
cached outside the clone, in ``/var/cache/patchdesk-testbed/``, under a name keyed on a hash of
this recipe and the mirror: changing the recipe rebuilds it; a new machine builds it (20-35 s).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from patchdesk_testing.testbed.mirror import Mirror

__all__ = [
    "CACHE_DIR",
    "Recipe",
    "TemplateError",
    "ensure_template",
    "rpm_template_recipe",
    "template_recipe",
]

CACHE_DIR = Path("/var/cache/patchdesk-testbed")
_STALE_AFTER_S = 14 * 24 * 3600


class TemplateError(RuntimeError):
    """mmdebstrap failed; the message ends with its last output lines."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipe:
    name: str
    suite: str
    variant: str
    include: tuple[str, ...]
    hooks: tuple[str, ...]
    mirror: str

    @property
    def digest(self) -> str:
        text = json.dumps(
            [self.name, self.suite, self.variant, self.include, self.hooks, self.mirror]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def path(self, cache_dir: Path = CACHE_DIR) -> Path:
        return cache_dir / f"{self.name}-{self.digest}.tar.zst"


_APT_CONF = (
    'Acquire::Check-Valid-Until "false";\\n'
    'Acquire::Languages "none";\\n'
    'Acquire::GzipIndexes "true";\\n'
    'Acquire::CompressionTypes::Order:: "gz";\\n'
    'APT::Sandbox::User "root";\\n'
)
_SSHD_CONF = "PasswordAuthentication yes\\nUseDNS no\\nPrintLastLog no\\nMaxSessions 20\\n"


def _common_hooks(mirror: Mirror) -> tuple[str, ...]:
    return (
        'rm -f "$1"/etc/ssh/ssh_host_*',
        'printf "127.0.0.1 localhost\\n::1 localhost ip6-localhost\\n" > "$1"/etc/hosts',
        ': > "$1"/etc/resolv.conf',
        ': > "$1"/etc/hostname',
        f'echo "deb {mirror.debian} bookworm main" > "$1"/etc/apt/sources.list',
        f'echo "deb {mirror.security} bookworm-security main" '
        '> "$1"/etc/apt/sources.list.d/security.list',
        f"printf '{_APT_CONF}' > \"$1\"/etc/apt/apt.conf.d/50testbed",
        'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
        'chroot "$1" useradd -m -s /bin/bash deploy',
        'chroot "$1" useradd -m -s /bin/bash alice',
        'echo "deploy ALL=(ALL) NOPASSWD:ALL" > "$1"/etc/sudoers.d/deploy',
        'echo "alice ALL=(ALL) ALL" > "$1"/etc/sudoers.d/alice',
        'chmod 0440 "$1"/etc/sudoers.d/deploy "$1"/etc/sudoers.d/alice',
        f"printf '{_SSHD_CONF}' > \"$1\"/etc/ssh/sshd_config.d/10-testbed.conf",
        # a wrong password costs ~3 s of pam_unix delay otherwise
        'sed -i "s/pam_unix.so nullok/pam_unix.so nullok nodelay/" "$1"/etc/pam.d/common-auth',
    )


def template_recipe(mirror: Mirror) -> Recipe:
    """The bookworm host template. Every step is a mmdebstrap customize hook (``$1`` = root)."""
    hooks = _common_hooks(mirror)
    return Recipe(
        name="bookworm-sshd",
        suite="bookworm",
        variant="apt",
        include=("openssh-server", "sudo", "procps", "apache2", "nginx"),
        hooks=hooks,
        mirror=mirror.debian,
    )


def _remove_stale(cache_dir: Path, keep: Path) -> None:
    now = time.time()
    for old in cache_dir.glob("*.tar.zst"):
        if old != keep and now - old.stat().st_mtime > _STALE_AFTER_S:
            old.unlink(missing_ok=True)


def ensure_template(recipe: Recipe, *, cache_dir: Path = CACHE_DIR, log: Path) -> Path:
    """The cached template tarball, built first when missing (one builder at a time)."""
    target = recipe.path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and target.stat().st_size > 0:
            return target
        if shutil.which("mmdebstrap") is None:
            raise TemplateError("mmdebstrap is not installed (`make debs` installs it)")
        partial = target.with_suffix(".tmp.tar.zst")
        command = [
            "mmdebstrap",
            "--mode=root",
            f"--variant={recipe.variant}",
            f"--include={','.join(recipe.include)}",
            *(f"--customize-hook={hook}" for hook in recipe.hooks),
            recipe.suite,
            str(partial),
            recipe.mirror,
        ]
        with log.open("ab") as output:
            result = subprocess.run(
                command, stdout=output, stderr=subprocess.STDOUT, check=False, timeout=900
            )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            tail = log.read_text(errors="replace").splitlines()[-15:]
            raise TemplateError(
                f"mmdebstrap failed ({result.returncode}); see {log}:\n" + "\n".join(tail)
            )
        partial.replace(target)
        _remove_stale(cache_dir, target)
        return target


_ROCKY_OS_RELEASE = (
    'NAME="Rocky Linux"\\nVERSION="9.3 (Blue Onyx)"\\nID="rocky"\\n'
    'ID_LIKE="rhel centos fedora"\\nVERSION_ID="9.3"\\nPLATFORM_ID="platform:el9"\\n'
    'PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx) [patchdesk testbed]"\\n'
)


def rpm_template_recipe(mirror: Mirror) -> Recipe:
    """A "simulated RPM host": Debian's rpm and dnf with an rpm database in /var/lib/rpm, and an
    os-release saying Rocky Linux 9. It exercises the RPM command path over SSH (rpm -qa, dnf
    repoquery, ownership), not a real distribution's package set."""
    hooks = (
        *_common_hooks(mirror),
        'mkdir -p "$1"/etc/rpm && echo "%_dbpath /var/lib/rpm" > "$1"/etc/rpm/macros',
        'chroot "$1" rpm --initdb',
        'mkdir -p "$1"/etc/dnf/vars "$1"/etc/yum.repos.d && echo 9 > "$1"/etc/dnf/vars/releasever',
        'rm -f "$1"/etc/os-release',
        f"printf '{_ROCKY_OS_RELEASE}' > \"$1\"/etc/os-release",
    )
    return Recipe(
        name="bookworm-rpm",
        suite="bookworm",
        variant="apt",
        include=("openssh-server", "sudo", "procps", "rpm", "dnf"),
        hooks=hooks,
        mirror=mirror.debian,
    )
