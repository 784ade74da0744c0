"""Scenarios for the remediation tests: a held package-manager lock, a running Apache whose key
is encrypted, and small synthetic security repositories whose updates are stable over time
(an update with a sibling binary, one that needs a new package, one that removes a package),
for Debian (``apt-ftparchive``) and for the simulated RPM host (``createrepo_c`` with an
``updateinfo.xml`` security advisory).

The real bookworm-security updates move with the mirror; these synthetic ones do not, so the
tests that need an exact transaction use them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from patchdesk_testing.testbed import network
from patchdesk_testing.testbed.hosts import TestbedHost

__all__ = [
    "DEB_ADVISORY",
    "DEB_KERNEL_REPO_PORT",
    "DEB_KERNEL_UPDATES",
    "DEB_UPDATES",
    "RPM_ADVISORY",
    "RPM_UPDATES",
    "SyntheticPackage",
    "hold_package_manager_lock",
    "install_deb_security_scenario",
    "install_rpm_security_scenario",
    "release_package_manager_lock",
    "serve_deb_security_repository",
    "serve_rpm_security_repository",
    "start_apache_with_passphrase",
]

DEB_REPO_PORT = 8084
RPM_REPO_PORT = 8085
DEB_ADVISORY = "DSA-9999-1"
RPM_ADVISORY = "PDSA-2026:0001"


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticPackage:
    name: str
    old: str  # installed
    new: str  # the security update ("" = only the old version exists)
    source: str = ""
    depends: str = ""  # of the new version
    conflicts: str = ""  # of the new version
    obsoletes: str = ""  # of the new version (rpm)
    in_repository_only: bool = False  # not installed: a dependency the update pulls in
    old_depends: str = ""  # of the old version


DEB_UPDATES = (
    # sibling binaries of one source: the -utils update needs the library's new version
    SyntheticPackage(name="pdtest-libbar", old="1.0-1", new="1.0-1+deb12u1", source="pdtest-bar"),
    SyntheticPackage(
        name="pdtest-bar-utils",
        old="1.0-1",
        new="1.0-1+deb12u1",
        source="pdtest-bar",
        depends="pdtest-libbar (= 1.0-1+deb12u1)",
    ),
    # an update that needs a package the host does not have
    SyntheticPackage(
        name="pdtest-libbaz", old="1.0-1", new="1.0-1+deb12u1", depends="pdtest-newdep"
    ),
    SyntheticPackage(name="pdtest-newdep", old="", new="1.0-1", in_repository_only=True),
    # an update that conflicts with an installed package: apt would remove it
    SyntheticPackage(
        name="pdtest-libqux", old="1.0-1", new="1.0-1+deb12u1", conflicts="pdtest-legacy"
    ),
    SyntheticPackage(name="pdtest-legacy", old="1.0-1", new=""),
)

# a kernel whose fix ships in a new ABI package, pulled in by the flavour's metapackage (the
# Debian way: linux-image-amd64 -> linux-image-6.1.0-21-amd64); the collector sees the
# linux-image-<release> packages as installed kernels (the running one is the host's own)
DEB_KERNEL_UPDATES = (
    SyntheticPackage(name="linux-image-1.0.0-1-pdtest", old="1.0.0-1", new="", source="linux"),
    SyntheticPackage(
        name="linux-image-1.0.0-2-pdtest", old="", new="1.0.0-2", source="linux",
        in_repository_only=True,
    ),
    SyntheticPackage(
        name="linux-image-pdtest", old="1.0.0-1", new="1.0.0-2", source="linux-signed-pdtest",
        old_depends="linux-image-1.0.0-1-pdtest", depends="linux-image-1.0.0-2-pdtest",
    ),
    # in the repository, never pulled in: a debug image of the new ABI
    SyntheticPackage(
        name="linux-image-1.0.0-2-pdtest-dbg", old="", new="1.0.0-2", source="linux",
        in_repository_only=True,
    ),
)  # fmt: skip
DEB_KERNEL_REPO_PORT = 8086

RPM_UPDATES = (
    # one source rpm, two binaries (a subpackage that needs the library's new version)
    SyntheticPackage(name="pdtest-libfoo", old="1.0-1", new="1.0-2", source="pdtest-libfoo"),
    SyntheticPackage(
        name="pdtest-foo-tools",
        old="1.0-1",
        new="1.0-2",
        source="pdtest-libfoo",
        depends="pdtest-libfoo = 1.0-2",
    ),
    SyntheticPackage(name="pdtest-libbaz", old="1.0-1", new="1.0-2", depends="pdtest-newdep"),
    SyntheticPackage(name="pdtest-newdep", old="", new="1.0-1", in_repository_only=True),
    # dnf skips an update that conflicts; one that obsoletes a package replaces (removes) it
    SyntheticPackage(name="pdtest-libqux", old="1.0-1", new="1.0-2", conflicts="pdtest-legacy"),
    SyntheticPackage(name="pdtest-legacy", old="1.0-1", new=""),
    SyntheticPackage(name="pdtest-libzap", old="1.0-1", new="1.0-2", obsoletes="pdtest-oldzap"),
    SyntheticPackage(name="pdtest-oldzap", old="1.0-1", new=""),
)


# --- the package-manager lock -----------------------------------------------------------------

_HOLD_LOCK = (
    "setsid perl -MFcntl -e '"
    'open(my $f, ">>", "/var/lib/dpkg/lock-frontend") or die; '
    'my $l = pack("s s x4 q q i x4", F_WRLCK, SEEK_SET, 0, 0, 0); '
    'fcntl($f, F_SETLK, $l) or die; $0 = "pdtest-lock-holder"; sleep 3600\' '
    "</dev/null >/dev/null 2>&1 & echo $!"
)


def hold_package_manager_lock(host: TestbedHost) -> int:
    """Take dpkg's frontend lock the way apt does (an fcntl write lock), as a running
    unattended-upgrades would; returns the holder's pid inside the host."""
    pid = int(host.ssh(_HOLD_LOCK).stdout.strip())
    # the lock is taken once the holder has renamed itself
    host.ssh(
        f"for i in $(seq 1 100); do grep -q pdtest-lock /proc/{pid}/cmdline 2>/dev/null && exit 0;"
        " sleep 0.05; done; exit 1"
    )
    return pid


def release_package_manager_lock(host: TestbedHost, pid: int) -> None:
    host.ssh(f"kill {pid}", check=False)


# --- Apache with an encrypted key, running ------------------------------------------------------


def start_apache_with_passphrase(host: TestbedHost, passphrase: bytes) -> None:
    """Start Apache (set up by ``scenarios.add_apache_encrypted_key``) the way an administrator
    would: typing the passphrase once. A temporary exec dialog stands in for the person and is
    removed again, so the host is left asking for a person on the next start."""
    host.write("/root/pdtest-pass", passphrase + b"\n", mode=0o600)
    host.write("/root/pdtest-ask", "#!/bin/sh\ncat /root/pdtest-pass\n", mode=0o700)
    host.write(
        "/etc/apache2/conf-enabled/pdtest-start.conf",
        "SSLPassPhraseDialog exec:/root/pdtest-ask\n",
    )
    try:
        host.ssh("apache2ctl start && sleep 0.5 && pgrep -x apache2 >/dev/null")
    finally:
        host.ssh(
            "rm -f /etc/apache2/conf-enabled/pdtest-start.conf /root/pdtest-ask /root/pdtest-pass"
        )


# --- a Debian security repository ---------------------------------------------------------------


def _deb(work: Path, package: SyntheticPackage, version: str) -> Path:
    root = work / f"{package.name}_{version}"
    (root / "DEBIAN").mkdir(parents=True)
    fields = [
        f"Package: {package.name}",
        f"Version: {version}",
        "Architecture: all",
        "Maintainer: patchdesk tests <tests@example.invalid>",
    ]
    if package.source:
        fields.append(f"Source: {package.source}")
    if version == package.new and package.depends:
        fields.append(f"Depends: {package.depends}")
    if version == package.old and package.old_depends:
        fields.append(f"Depends: {package.old_depends}")
    if version == package.new and package.conflicts:
        fields.append(f"Conflicts: {package.conflicts}")
    fields.append(f"Description: patchdesk remediation test package {package.name}")
    (root / "DEBIAN" / "control").write_text("\n".join(fields) + "\n")
    doc = root / "usr" / "share" / "doc" / package.name
    doc.mkdir(parents=True)
    (doc / "README").write_text(f"{package.name} {version}\n")
    output = work / f"{package.name}_{version}_all.deb"
    network.run("dpkg-deb", "-Zgzip", "--root-owner-group", "-b", str(root), str(output))
    return output


def _serve(directory: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", network.BRIDGE_IP,
         "--directory", str(directory), str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@contextmanager
def serve_deb_security_repository(
    packages: tuple[SyntheticPackage, ...] = DEB_UPDATES, port: int = DEB_REPO_PORT
) -> Iterator[Path]:
    """The new versions of ``packages`` (default :data:`DEB_UPDATES`) in a repository labelled
    like Debian's security archive (``Origin: Debian``, ``Label: Debian-Security``, suite
    ``bookworm-security``), and the old versions as loose files under ``old/``; served on the
    bridge at ``port`` (default 8084)."""
    with tempfile.TemporaryDirectory(prefix="pdtest-debsec-") as temporary:
        work = Path(temporary)
        www = work / "www"
        (www / "pool").mkdir(parents=True)
        (www / "old").mkdir()
        (work / "build").mkdir()
        for package in packages:
            if package.old:
                (www / "old" / f"{package.name}.deb").write_bytes(
                    _deb(work / "build", package, package.old).read_bytes()
                )
            if package.new:
                built = _deb(work / "build", package, package.new)
                (www / "pool" / built.name).write_bytes(built.read_bytes())
        suite = "bookworm-security"
        binary = www / "dists" / suite / "main" / "binary-all"
        binary.mkdir(parents=True)
        packages = network.run("apt-ftparchive", "packages", "pool", cwd=www).stdout
        (binary / "Packages").write_text(packages)
        release = network.run(
            "apt-ftparchive",
            "-oAPT::FTPArchive::Release::Origin=Debian",
            "-oAPT::FTPArchive::Release::Label=Debian-Security",
            f"-oAPT::FTPArchive::Release::Suite={suite}",
            f"-oAPT::FTPArchive::Release::Codename={suite}",
            "-oAPT::FTPArchive::Release::Components=main",
            "-oAPT::FTPArchive::Release::Architectures=all",
            "release",
            f"dists/{suite}",
            cwd=www,
        ).stdout
        (www / "dists" / suite / "Release").write_text(release)
        work.chmod(0o755)
        (work / "port").write_text(str(port))
        server = _serve(www, port)
        try:
            yield www
        finally:
            server.terminate()
            server.wait(timeout=10)


def install_deb_security_scenario(
    host: TestbedHost, www: Path, packages: tuple[SyntheticPackage, ...] = DEB_UPDATES
) -> None:
    """Install the old versions of ``packages`` (those :func:`serve_deb_security_repository`
    serves at ``www``) with ``dpkg -i`` and add the repository (then ``apt-get update``, which
    also refreshes the real mirror's indexes)."""
    names = [p.name for p in packages if p.old]
    port = int((www.parent / "port").read_text())
    for name in names:
        host.write(f"/tmp/pdtest/{name}.deb", (www / "old" / f"{name}.deb").read_bytes())
    host.write(
        "/etc/apt/sources.list.d/pdtest-security.list",
        f"deb [trusted=yes] http://{network.BRIDGE_IP}:{port}/ bookworm-security main\n",
    )
    host.write(
        "/etc/apt/apt.conf.d/02pdtest-direct",
        f'Acquire::http::Proxy::{network.BRIDGE_IP} "DIRECT";\n',
    )
    debs = " ".join(f"/tmp/pdtest/{name}.deb" for name in names)
    host.ssh(f"dpkg -i {debs} >/dev/null && rm -rf /tmp/pdtest && apt-get update -q >/dev/null")


# --- an RPM security repository (simulated RPM host) --------------------------------------------

_SPEC = """Name: {name}
Version: {version}
Release: {release}
Summary: patchdesk remediation test package {name}
License: MIT
BuildArch: noarch
Vendor: Rocky Enterprise Software Foundation
AutoReqProv: no
{relations}
%description
patchdesk remediation test package {name}.

%install
{install}

%files
/usr/share/{name}/VERSION
{subpackages}"""

_SUBPACKAGE = """
%package -n {name}
Summary: patchdesk remediation test package {name}
{relations}
%description -n {name}
patchdesk remediation test package {name}.

%files -n {name}
/usr/share/{name}/VERSION
"""


def _relations(package: SyntheticPackage, is_new: bool) -> str:
    fields = (("Requires", package.depends), ("Conflicts", package.conflicts),
              ("Obsoletes", package.obsoletes))  # fmt: skip
    return "".join(f"{key}: {value}\n" for key, value in fields if is_new and value)


_UPDATEINFO = """<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="security@example.invalid" status="final" type="security" version="1">
    <id>{advisory}</id>
    <title>Important: pdtest security update</title>
    <issued date="2026-11-20 00:00:00"/>
    <severity>Important</severity>
    <summary>pdtest security update</summary>
    <description>Fixes CVE-2099-0001.</description>
    <references>
      <reference href="https://example.invalid/CVE-2099-0001" id="CVE-2099-0001" type="cve"/>
    </references>
    <pkglist>
      <collection short="pdtest">
{packages}
      </collection>
    </pkglist>
  </update>
</updates>
"""


def _rpm_group(work: Path, group: list[SyntheticPackage], evr: str) -> list[Path]:
    """Build one source rpm's binaries (the first package is the main one) at ``evr``."""
    version, release = evr.split("-", 1)
    is_new = all(p.new == evr for p in group)
    main, *subpackages = group
    install = "\n".join(
        f"mkdir -p %{{buildroot}}/usr/share/{p.name} && "
        f"echo {evr} > %{{buildroot}}/usr/share/{p.name}/VERSION"
        for p in group
    )
    spec = work / f"{main.name}-{evr}.spec"
    spec.write_text(
        _SPEC.format(
            name=main.name,
            version=version,
            release=release,
            relations=_relations(main, is_new),
            install=install,
            subpackages="".join(
                _SUBPACKAGE.format(name=p.name, relations=_relations(p, is_new))
                for p in subpackages
            ),
        )
    )
    top = work / "rpmbuild"
    network.run("rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec))
    return [next((top / "RPMS" / "noarch").glob(f"{p.name}-{evr}.noarch.rpm")) for p in group]


@contextmanager
def serve_rpm_security_repository() -> Iterator[Path]:
    """The :data:`RPM_UPDATES` new versions in a ``createrepo_c`` repository with one security
    advisory (:data:`RPM_ADVISORY`, CVE-2099-0001) covering them, old versions under ``old/``;
    served on the bridge at port 8085."""
    with tempfile.TemporaryDirectory(prefix="pdtest-rpmsec-") as temporary:
        work = Path(temporary)
        www = work / "www"
        (www / "security").mkdir(parents=True)
        (www / "old").mkdir()
        entries = []
        groups: dict[str, list[SyntheticPackage]] = {}
        for package in RPM_UPDATES:
            groups.setdefault(package.source or package.name, []).append(package)
        for group in groups.values():
            if group[0].old:
                for package, built in zip(
                    group, _rpm_group(work, group, group[0].old), strict=True
                ):
                    (www / "old" / f"{package.name}.rpm").write_bytes(built.read_bytes())
            if group[0].new:
                for package, built in zip(
                    group, _rpm_group(work, group, group[0].new), strict=True
                ):
                    (www / "security" / built.name).write_bytes(built.read_bytes())
                    version, release = package.new.split("-", 1)
                    entries.append(
                        f'        <package name="{package.name}" version="{version}" '
                        f'release="{release}" epoch="0" arch="noarch" '
                        f'src="{group[0].name}-{package.new}.src.rpm">'
                        f"<filename>{built.name}</filename></package>"
                    )
        network.run("createrepo_c", "-q", str(www / "security"))
        updateinfo = work / "updateinfo.xml"
        updateinfo.write_text(
            _UPDATEINFO.format(advisory=RPM_ADVISORY, packages="\n".join(entries))
        )
        network.run(
            "modifyrepo_c", "--mdtype=updateinfo", str(updateinfo),
            str(www / "security" / "repodata"),
        )  # fmt: skip
        work.chmod(0o755)
        server = _serve(www, RPM_REPO_PORT)
        try:
            yield www
        finally:
            server.terminate()
            server.wait(timeout=10)


def install_rpm_security_scenario(host: TestbedHost, www: Path) -> None:
    """On a ``kind="rpm"`` host: ``rpm -i`` the old versions and add the repository."""
    names = [p.name for p in RPM_UPDATES if p.old]
    for name in names:
        host.write(f"/tmp/pdtest/{name}.rpm", (www / "old" / f"{name}.rpm").read_bytes())
    host.write(
        "/etc/yum.repos.d/pdtest-security.repo",
        f"[pdtest-security]\nname=pdtest security\n"
        f"baseurl=http://{network.BRIDGE_IP}:{RPM_REPO_PORT}/security\ngpgcheck=0\nenabled=1\n",
    )
    rpms = " ".join(f"/tmp/pdtest/{name}.rpm" for name in names)
    host.ssh(f"rpm -i --nodeps {rpms} 2>/dev/null && rm -rf /tmp/pdtest && dnf -q makecache")
