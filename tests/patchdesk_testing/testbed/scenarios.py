"""Turn a plain testbed host into a test scenario: TLS keys with passphrases, software built
from source, a service running a deleted binary, packages from other repositories.

Files go straight into the host's overlay (owned by root, like an admin would leave them);
anything that must run inside the host runs over SSH.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from patchdesk_testing.testbed import network
from patchdesk_testing.testbed.hosts import TestbedHost

__all__ = [
    "PROVIDER_ORIGIN",
    "RPM_PACKAGES",
    "THIRD_PARTY_ORIGIN",
    "add_apache_encrypted_key",
    "add_deleted_binary_service",
    "add_nginx_key_with_password_file",
    "add_software_built_from_source",
    "install_from_extra_repositories",
    "install_rpm_packages",
    "serve_extra_repositories",
    "serve_rpm_repositories",
]

PROVIDER_ORIGIN = "PatchdeskProvider"
THIRD_PARTY_ORIGIN = "AcmeCorp"
REPO_PORT = 8082


def _key_and_cert(
    name: str, passphrase: bytes, key_format: serialization.PrivateFormat
) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, key_format, serialization.BestAvailableEncryption(passphrase)
    )
    return pem_key, cert.public_bytes(serialization.Encoding.PEM)


def add_apache_encrypted_key(host: TestbedHost, *, passphrase: bytes = b"tls-pass") -> str:
    """Enable mod_ssl and a TLS site whose key is encrypted (traditional PEM,
    ``Proc-Type: 4,ENCRYPTED``); Apache then asks for the passphrase at start. Returns the key
    path."""
    key, cert = _key_and_cert(host.name, passphrase, serialization.PrivateFormat.TraditionalOpenSSL)
    host.write("/etc/ssl/pdtest/apache.key", key, mode=0o600)
    host.write("/etc/ssl/pdtest/apache.crt", cert)
    host.write(
        "/etc/apache2/sites-available/pdtest-ssl.conf",
        "<VirtualHost *:443>\n"
        "    ServerName pdtest.example\n"
        "    SSLEngine on\n"
        "    SSLCertificateFile /etc/ssl/pdtest/apache.crt\n"
        '    SSLCertificateKeyFile "/etc/ssl/pdtest/apache.key"\n'
        "</VirtualHost>\n",
    )
    host.ssh("a2enmod -q ssl && a2ensite -q pdtest-ssl")
    return "/etc/ssl/pdtest/apache.key"


def add_nginx_key_with_password_file(host: TestbedHost, *, passphrase: bytes = b"ng") -> str:
    """An nginx TLS server with an encrypted PKCS#8 key and ``ssl_password_file``: nginx
    starts unattended. Returns the key path."""
    key, cert = _key_and_cert(host.name, passphrase, serialization.PrivateFormat.PKCS8)
    host.write("/etc/nginx/pdtest/nginx.key", key, mode=0o600)
    host.write("/etc/nginx/pdtest/nginx.crt", cert)
    host.write("/etc/nginx/pdtest/pass", passphrase + b"\n", mode=0o600)
    host.write(
        "/etc/nginx/conf.d/pdtest-ssl.conf",
        "server {\n"
        "    listen 443 ssl;\n"
        "    ssl_certificate pdtest/nginx.crt;\n"
        "    ssl_certificate_key pdtest/nginx.key;\n"
        "    ssl_password_file /etc/nginx/pdtest/pass;\n"
        "}\n",
    )
    return "/etc/nginx/pdtest/nginx.key"


def add_software_built_from_source(host: TestbedHost) -> dict[str, str]:
    """Files no package owns: a tool in /usr/local/bin, a daemon and a library under /opt;
    the daemon is started. Returns ``{role: path}``."""
    paths = {
        "tool": "/usr/local/bin/pdtest-tool",
        "daemon": "/opt/acme/bin/acmed",
        "library": "/opt/acme/lib/libacme.so.1",
    }
    host.write(paths["tool"], host.path("/usr/bin/true").read_bytes(), mode=0o755)
    host.write(paths["daemon"], host.path("/usr/bin/sleep").read_bytes(), mode=0o755)
    host.write(paths["library"], b"\x7fELF not really a library\n", mode=0o644)
    host.ssh(f"setsid {paths['daemon']} 3600 </dev/null >/dev/null 2>&1 &")
    return paths


def add_deleted_binary_service(host: TestbedHost) -> str:
    """A running process whose executable was replaced on disk (as an upgrade does): the
    ``/proc/*/maps`` fallback must report it. Returns the binary path."""
    path = "/usr/sbin/pdtestd"
    host.write(path, host.path("/usr/bin/sleep").read_bytes(), mode=0o755)
    host.ssh(f"setsid {path} 3600 </dev/null >/dev/null 2>&1 & sleep 0.2; rm -f {path}")
    return path


def _build_deb(work: Path, name: str, version: str) -> Path:
    root = work / f"{name}_{version}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: all\n"
        "Maintainer: patchdesk tests <tests@example.invalid>\n"
        f"Description: patchdesk testbed package {name}\n"
    )
    doc = root / "usr" / "share" / "doc" / name
    doc.mkdir(parents=True)
    (doc / "README").write_text(f"{name} {version}\n")
    output = work / f"{name}_{version}_all.deb"
    network.run("dpkg-deb", "-Zgzip", "--root-owner-group", "-b", str(root), str(output))
    return output


def _make_repository(base: Path, suite: str, origin: str, debs: list[Path]) -> None:
    pool = base / "pool"
    pool.mkdir(parents=True)
    for deb in debs:
        (pool / deb.name).write_bytes(deb.read_bytes())
    binary = base / "dists" / suite / "main" / "binary-all"
    binary.mkdir(parents=True)
    packages = network.run("apt-ftparchive", "packages", "pool", check=True, cwd=base).stdout
    (binary / "Packages").write_text(packages)
    release = network.run(
        "apt-ftparchive",
        f"-oAPT::FTPArchive::Release::Origin={origin}",
        f"-oAPT::FTPArchive::Release::Label={origin}",
        f"-oAPT::FTPArchive::Release::Suite={suite}",
        f"-oAPT::FTPArchive::Release::Codename={suite}",
        "-oAPT::FTPArchive::Release::Components=main",
        "-oAPT::FTPArchive::Release::Architectures=all",
        "release",
        f"dists/{suite}",
        check=True,
        cwd=base,
    ).stdout
    (base / "dists" / suite / "Release").write_text(release)


@contextmanager
def serve_extra_repositories() -> Iterator[Path]:
    """Build a provider repository, a third-party one and a loose .deb, and serve them over
    HTTP on the bridge (port 8082) for as long as the context lasts. Yields the directory."""
    with tempfile.TemporaryDirectory(prefix="pdtest-repos-") as temporary:
        work = Path(temporary)
        (work / "build").mkdir()
        provider = _build_deb(work / "build", "pdtest-provider-tool", "1.0-1")
        third_party = _build_deb(work / "build", "pdtest-acme-agent", "2.3-1")
        local = _build_deb(work / "build", "pdtest-local-build", "0.1-1")
        _make_repository(work / "www" / "provider", "stable", PROVIDER_ORIGIN, [provider])
        _make_repository(work / "www" / "acme", "stable", THIRD_PARTY_ORIGIN, [third_party])
        (work / "www" / local.name).write_bytes(local.read_bytes())
        work.chmod(0o755)
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", network.BRIDGE_IP,
             "--directory", str(work / "www"), str(REPO_PORT)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            yield work / "www"
        finally:
            server.terminate()
            server.wait(timeout=10)


def install_from_extra_repositories(host: TestbedHost, www: Path) -> dict[str, str]:
    """Install one package from each extra repository (served by
    :func:`serve_extra_repositories`, whose directory is ``www``) and one loose .deb with
    ``dpkg -i``. Returns ``{package: expected origin class}``."""
    url = f"http://{network.BRIDGE_IP}:{REPO_PORT}"
    host.write(
        "/etc/apt/sources.list.d/pdtest.list",
        f"deb [trusted=yes] {url}/provider stable main\ndeb [trusted=yes] {url}/acme stable main\n",
    )
    host.write(
        "/etc/apt/apt.conf.d/02pdtest-direct",
        f'Acquire::http::Proxy::{network.BRIDGE_IP} "DIRECT";\n',
    )
    host.write("/tmp/local.deb", (www / "pdtest-local-build_0.1-1_all.deb").read_bytes())
    host.ssh(
        "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
        "pdtest-provider-tool pdtest-acme-agent >/dev/null && dpkg -i /tmp/local.deb >/dev/null",
        timeout_s=600,
    )
    return {
        "pdtest-provider-tool": "provider",
        "pdtest-acme-agent": "third_party",
        "pdtest-local-build": "local",
    }


RPM_REPO_PORT = 8083
_SPEC = """Name: {name}
Version: {version}
Release: {release}
{epoch}Summary: patchdesk testbed package {name}
License: MIT
BuildArch: noarch
{vendor}AutoReqProv: no

%description
patchdesk testbed package {name}.

%install
mkdir -p %{{buildroot}}{directory}
printf '#!/bin/sh\\ntrue\\n' > %{{buildroot}}{directory}/{name}
chmod 0755 %{{buildroot}}{directory}/{name}

%files
{directory}/{name}
"""
RPM_PACKAGES = {
    # name: (version, release, epoch, vendor, repository, directory, expected origin class)
    "rocky-base-tool": ("1.2", "3.el9", 0, "Rocky Enterprise Software Foundation", "baseos",
                        "/usr/bin", "os_vendor"),
    "rocky-epoch-lib": ("0.9", "1.el9_3", 2, "Rocky Enterprise Software Foundation", "appstream",
                        "/usr/libexec", "os_vendor"),
    "epel-tool": ("3.3.0", "1.el9", 0, "Fedora Project", "epel", "/usr/bin", "third_party"),
    "provider-agent": ("2.0", "4", 0, "Example Hosting", "provider-updates", "/opt/provider/bin",
                       "provider"),
    "local-build": ("0.1", "1", 0, "", "", "/opt/local-build/bin", "local"),
}  # fmt: skip


def _build_rpm(work: Path, name: str) -> Path:
    version, release, epoch, vendor, _, directory, _ = RPM_PACKAGES[name]
    spec = work / f"{name}.spec"
    spec.write_text(
        _SPEC.format(
            name=name,
            version=version,
            release=release,
            epoch=f"Epoch: {epoch}\n" if epoch else "",
            vendor=f"Vendor: {vendor}\n" if vendor else "",
            directory=directory,
        )
    )
    network.run("rpmbuild", "-bb", "--quiet", "--define", f"_topdir {work / 'rpmbuild'}", str(spec))
    return next((work / "rpmbuild" / "RPMS" / "noarch").glob(f"{name}-{version}-*.rpm"))


@contextmanager
def serve_rpm_repositories() -> Iterator[Path]:
    """Build the RPM_PACKAGES, one repository per repository id (``createrepo_c``), served on
    the bridge at port 8083; the repository-less one is left as a loose file. Yields the
    directory."""
    with tempfile.TemporaryDirectory(prefix="pdtest-rpm-") as temporary:
        work = Path(temporary)
        www = work / "www"
        for name, (*_, repo, _directory, _kind) in RPM_PACKAGES.items():
            rpm = _build_rpm(work, name)
            target = www / (repo or "loose")
            target.mkdir(parents=True, exist_ok=True)
            (target / rpm.name).write_bytes(rpm.read_bytes())
        for repo in {spec[4] for spec in RPM_PACKAGES.values() if spec[4]}:
            network.run("createrepo_c", "-q", str(www / repo))
        work.chmod(0o755)
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", network.BRIDGE_IP,
             "--directory", str(www), str(RPM_REPO_PORT)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            yield www
        finally:
            server.terminate()
            server.wait(timeout=10)


def install_rpm_packages(host: TestbedHost, www: Path) -> dict[str, str]:
    """On a ``kind="rpm"`` host: ``dnf install`` from the repositories, ``rpm -i`` the loose
    package, and drop an unowned tool under /opt. Returns ``{package: expected class}``."""
    url = f"http://{network.BRIDGE_IP}:{RPM_REPO_PORT}"
    repos = sorted({spec[4] for spec in RPM_PACKAGES.values() if spec[4]})
    host.write(
        "/etc/yum.repos.d/pdtest.repo",
        "".join(f"[{r}]\nname={r}\nbaseurl={url}/{r}\ngpgcheck=0\nenabled=1\n\n" for r in repos),
    )
    loose = next((www / "loose").glob("*.rpm"))
    host.write("/tmp/local-build.rpm", loose.read_bytes())
    names = " ".join(name for name, spec in RPM_PACKAGES.items() if spec[4])
    host.ssh(
        f"dnf -y -q install {names} >/dev/null 2>&1 && rpm -i --nodeps /tmp/local-build.rpm",
        timeout_s=600,
    )
    host.write("/opt/unowned/bin/tool", host.path("/usr/bin/true").read_bytes(), mode=0o755)
    return {name: spec[6] for name, spec in RPM_PACKAGES.items()}
