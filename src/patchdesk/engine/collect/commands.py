"""Every command patchdesk runs on a server to collect its inventory. All are read-only.

Commands are fixed strings. The few that take data from an earlier answer (file paths,
package names) receive it on stdin, or quoted with :func:`shlex.quote`; nothing a host prints
is ever executed. Each script sets ``LC_ALL=C`` (parsable output) and a fixed ``PATH`` without
``/usr/local`` (a binary dropped there cannot stand in for a system tool).
``docs/collection.md`` lists them for customers' security reviews.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Final

__all__ = [
    "APT_POLICY",
    "APT_POLICY_PACKAGES",
    "DNF_REPOQUERY",
    "DPKG_OWNED_PATHS",
    "DPKG_QUERY",
    "FIND_LOCAL_SOFTWARE",
    "IDENTITY",
    "MAX_LOCAL_FILES",
    "NEEDRESTART",
    "NEEDS_RESTARTING_REBOOT",
    "NEEDS_RESTARTING_SERVICES",
    "PROBED_TOOLS",
    "PROC_EXES",
    "PROC_MAPS_DELETED",
    "REBOOT_REQUIRED_FILE",
    "RPM_OWNED_PATHS",
    "RPM_QUERY",
    "SECTION_MARKER",
    "SUDO_PROBE",
    "TLS_CONFIG",
    "YUM_REPOQUERY",
    "ZYPPER_INSTALLED",
    "tls_key_check",
]

_PRELUDE: Final = "LC_ALL=C; export LC_ALL; PATH=/usr/sbin:/usr/bin:/sbin:/bin; export PATH; "

SECTION_MARKER: Final = "patchdesk"
"""Sections of multi-part scripts start with a line ``@@patchdesk NAME@@``."""

PROBED_TOOLS: Final = (
    "dpkg-query",
    "apt-cache",
    "rpm",
    "dnf",
    "yum",
    "repoquery",
    "zypper",
    "needrestart",
    "needs-restarting",
)
"""The tools whose presence the identity script reports."""

IDENTITY: Final = (
    _PRELUDE
    + "s() { printf '\\n@@patchdesk %s@@\\n' \"$1\"; }; "
    + "s uname; uname -m; uname -r; uname -v; "
    + "s hostname; hostname 2>/dev/null || cat /proc/sys/kernel/hostname; "
    + "s uid; id -u; "
    + "s dpkg-arch; dpkg --print-architecture 2>/dev/null; "
    + f"s tools; for t in {' '.join(PROBED_TOOLS)}; do "
    + 'command -v "$t" >/dev/null 2>&1 && echo "$t"; done; '
    + "s os-release; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null; "
    + "s lsb-release; cat /etc/lsb-release 2>/dev/null; "
    + "s redhat-release; cat /etc/redhat-release 2>/dev/null; "
    + "s system-release; cat /etc/system-release 2>/dev/null; "
    + "s debian_version; cat /etc/debian_version 2>/dev/null; "
    + "s SuSE-release; cat /etc/SuSE-release 2>/dev/null; "
    + "s end; true"
)
"""OS release files, kernel, architecture, host name, user id and the tools present."""

SUDO_PROBE: Final = "true"
"""Run as root once, first: a refused sudo stops the scan with ``permission_denied``."""

DPKG_QUERY: Final = (
    _PRELUDE + "dpkg-query -W -f='${db:Status-Abbrev}\\t${Package}\\t${Architecture}\\t"
    "${Version}\\t${source:Package}\\t${source:Version}\\t${Source}\\n'"
)
"""Installed Debian packages: status, name, arch, version, source name and version."""

RPM_QUERY: Final = (
    _PRELUDE + "rpm -qa --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t"
    "%{VENDOR}\\t%{SOURCERPM}\\n'"
)
"""Installed rpm packages with epoch, vendor and source rpm."""

APT_POLICY: Final = _PRELUDE + "apt-cache policy"
"""The configured apt sources with their release metadata (origin, label, suite)."""

APT_POLICY_PACKAGES: Final = _PRELUDE + "xargs -r apt-cache policy"
"""``apt-cache policy`` of the package names given on stdin (one per line)."""

DNF_REPOQUERY: Final = (
    _PRELUDE + "dnf -q -C --disablerepo='*' repoquery --installed "
    "--qf '%{name}\\t%{epoch}\\t%{version}\\t%{release}\\t%{arch}\\t%{from_repo}\\n'"
)
"""The repository each installed rpm came from (dnf, from its own database, no network)."""

YUM_REPOQUERY: Final = (
    _PRELUDE + "repoquery -C --installed -a "
    "--qf '%{name}\\t%{epoch}\\t%{version}\\t%{release}\\t%{arch}\\t%{ui_from_repo}'"
)
"""The same for yum hosts (yum-utils ``repoquery``)."""

ZYPPER_INSTALLED: Final = _PRELUDE + "zypper --no-refresh -q search -i -s -t package"
"""The same for SUSE: installed packages with their repository alias."""

REBOOT_REQUIRED_FILE: Final = (
    _PRELUDE + "if [ -e /var/run/reboot-required ]; then echo reboot-required; "
    "cat /var/run/reboot-required.pkgs 2>/dev/null; fi; true"
)
"""Debian/Ubuntu's reboot flag and the packages that set it."""

NEEDRESTART: Final = _PRELUDE + "needrestart -b -r l"
"""needrestart in batch mode, list only (``-r l``): never restarts anything."""

NEEDS_RESTARTING_REBOOT: Final = _PRELUDE + "needs-restarting -r"
"""RHEL family: exit status 1 means a reboot is needed."""

NEEDS_RESTARTING_SERVICES: Final = _PRELUDE + "needs-restarting -s"
"""RHEL family: systemd units that need a restart."""

PROC_MAPS_DELETED: Final = (
    _PRELUDE + "printf '@@patchdesk maps@@\\n'; grep -s -H ' (deleted)$' /proc/[0-9]*/maps; "
    "printf '@@patchdesk comm@@\\n'; grep -s -H '' /proc/[0-9]*/comm; "
    "printf '@@patchdesk cgroup@@\\n'; grep -s -H -E '^0::|name=systemd:' /proc/[0-9]*/cgroup; "
    "true"
)
"""Fallback restart check: files deleted since a process mapped them, with process names."""

PROC_EXES: Final = (
    _PRELUDE + "find /proc -mindepth 2 -maxdepth 2 -path '/proc/[0-9]*/exe' "
    "-printf '%h\\t%l\\n' 2>/dev/null; true"
)
"""The binary of every running process (``/proc/PID<TAB>/path``)."""

MAX_LOCAL_FILES: Final = 20_000
"""Executables and libraries listed at most under /usr/local and /opt (more: a warning)."""

FIND_LOCAL_SOFTWARE: Final = (
    _PRELUDE + "find /usr/local /opt -xdev -type f \\( -perm -0100 -o -perm -0010 -o -perm -0001 "
    "-o -name '*.so' -o -name '*.so.*' \\) -print0 2>/dev/null "
    f"| head -z -n {MAX_LOCAL_FILES + 1}; true"
)
"""Executables and shared libraries under /usr/local and /opt (NUL-separated)."""

DPKG_OWNED_PATHS: Final = _PRELUDE + "grep -h -F -x -f - /var/lib/dpkg/info/*.list; true"
"""Which of the paths given on stdin a Debian package owns (prints the owned ones)."""

RPM_OWNED_PATHS: Final = (
    _PRELUDE + "{ rpm -qa --qf '[%{FILENAMES}\\n]' 2>/dev/null | grep -F -x -f /dev/fd/3; } 3<&0; "
    "true"
)
"""Which of the paths given on stdin an rpm package owns (prints the owned ones)."""

_TLS_CONFIG_PATHS: Final = (
    "/etc/apache2/apache2.conf",
    "/etc/apache2/ports.conf",
    "/etc/apache2/conf-enabled",
    "/etc/apache2/mods-enabled",
    "/etc/apache2/sites-enabled",
    "/etc/apache2/vhosts.d",
    "/etc/apache2/ssl-global.conf",
    "/etc/apache2/default-server.conf",
    "/etc/httpd/conf",
    "/etc/httpd/conf.d",
    "/etc/nginx/nginx.conf",
    "/etc/nginx/conf.d",
    "/etc/nginx/sites-enabled",
    "/etc/nginx/vhosts.d",
)

TLS_CONFIG: Final = (
    _PRELUDE + "grep -R -s -n -H -i -E "
    "'^[[:space:]]*(SSLPassPhraseDialog|SSLCertificateKeyFile|SSLCertificateFile"
    "|ssl_certificate_key|ssl_certificate|ssl_password_file)[[:space:]]' "
    "--exclude='*~' --exclude='*.dpkg-*' --exclude='*.rpmnew' --exclude='*.rpmsave' "
    "--exclude='*.orig' --exclude='*.bak' " + " ".join(_TLS_CONFIG_PATHS) + "; true"
)
"""TLS key and passphrase directives in the enabled Apache and nginx configuration."""

_TLS_KEY_SCRIPT: Final = (
    'if [ ! -e "$f" ]; then s=missing; elif [ ! -r "$f" ]; then s=unreadable; '
    "elif grep -q -E -e '^Proc-Type: 4,ENCRYPTED' -e '^-----BEGIN ENCRYPTED PRIVATE KEY-----' "
    '-- "$f"; then s=encrypted; '
    "elif grep -q -E -e '^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' -- \"$f\"; then s=plain; "
    "else s=nokey; fi; "
    'printf \'%s\\t%s\\n\' "$s" "$f"'
)


def tls_key_check(paths: Iterable[str]) -> str:
    """Whether each key file is encrypted: prints ``STATE<TAB>PATH``, never the key itself.

    STATE is ``encrypted``, ``plain``, ``nokey``, ``missing`` or ``unreadable``. The paths come
    from the host's configuration, so each is quoted with :func:`shlex.quote`.
    """
    quoted = " ".join(shlex.quote(path) for path in paths)
    return _PRELUDE + f"for f in {quoted}; do {_TLS_KEY_SCRIPT}; done; true"
