"""Origin classes: OS vendor, provider (configured), third party, local."""

from __future__ import annotations

import pytest

from engine.collect.support import DATA
from patchdesk.engine.collect.dpkg import AptPolicy, AptSource
from patchdesk.engine.collect.origin import OriginRules, classify_apt_origin, classify_rpm_origin
from patchdesk.engine.collect.rpm import format_evr, parse_repoquery, parse_rpm_query
from patchdesk.engine.model.inventory import OriginClass

MAIN = "http://mirror.invalid/debian bookworm/main amd64 Packages"
SECURITY = "http://mirror.invalid/debian-security bookworm-security/main amd64 Packages"
PROVIDER = "http://repo.provider.example/apt stable/main amd64 Packages"
ACME = "http://apt.acme.example stable/main all Packages"
SOURCES = {
    MAIN: AptSource(location=MAIN, priority=500, release={"o": "Debian", "l": "Debian"}),
    SECURITY: AptSource(
        location=SECURITY, priority=500, release={"o": "Debian", "l": "Debian-Security"}
    ),
    PROVIDER: AptSource(location=PROVIDER, priority=500, release={"o": "ExampleHosting"}),
    ACME: AptSource(location=ACME, priority=500, release={"o": "Acme", "l": "Acme"}),
}
RULES = OriginRules(apt_origins=("ExampleHosting",), repo_ids=("provider-updates",))


@pytest.mark.parametrize(
    ("sources", "kind", "label"),
    [
        ((MAIN, "/var/lib/dpkg/status"), OriginClass.OS_VENDOR, "Debian"),
        ((SECURITY,), OriginClass.OS_VENDOR, "Debian-Security"),
        ((PROVIDER,), OriginClass.PROVIDER, "ExampleHosting"),
        ((ACME, "/var/lib/dpkg/status"), OriginClass.THIRD_PARTY, "Acme"),
        (("/var/lib/dpkg/status",), OriginClass.LOCAL, ""),
        ((ACME, MAIN), OriginClass.OS_VENDOR, "Debian"),  # the vendor ships this very version
        (("http://unknown.example ./ Packages",), OriginClass.THIRD_PARTY, ""),
    ],
)
def test_apt_origin(sources: tuple[str, ...], kind: OriginClass, label: str) -> None:
    policy = AptPolicy(name="p", installed="1.0", sources=sources)
    origin = classify_apt_origin(policy, SOURCES, distro="debian", rules=RULES)
    assert (origin.kind, origin.label) == (kind, label)


def test_apt_provider_by_url_prefix_and_unknown_without_policy() -> None:
    rules = OriginRules(url_prefixes=("http://apt.acme.example",))
    policy = AptPolicy(name="p", installed="1.0", sources=(ACME,))
    assert classify_apt_origin(policy, SOURCES, distro="debian", rules=rules).kind == "provider"
    assert classify_apt_origin(None, SOURCES, distro="debian", rules=rules).kind == "unknown"


def test_ubuntu_vendor_origins() -> None:
    esm = "https://esm.ubuntu.com/infra/ubuntu jammy-infra-security/main amd64 Packages"
    sources = {esm: AptSource(location=esm, priority=510, release={"o": "UbuntuESM"})}
    policy = AptPolicy(name="p", installed="1.0", sources=(esm,))
    assert classify_apt_origin(policy, sources, distro="ubuntu", rules=RULES).kind == "os_vendor"
    assert classify_apt_origin(policy, sources, distro="debian", rules=RULES).kind == "third_party"


def test_rpm_origins_from_vendor_and_repository() -> None:
    records, _ = parse_rpm_query((DATA / "rpm" / "almalinux9-rpm-qa.txt").read_bytes())
    repos, _ = parse_repoquery(
        (DATA / "rpm" / "almalinux9-dnf-repoquery.txt").read_bytes(), source="dnf"
    )
    kinds = {
        r.name: classify_rpm_origin(
            r,
            repos.get((r.name, r.arch, format_evr(r.epoch, r.version, r.release))),
            distro="almalinux",
            rules=RULES,
        ).kind
        for r in records
    }
    assert kinds["openssl-libs"] == kinds["bash"] == OriginClass.OS_VENDOR  # bash: anaconda
    assert kinds["htop"] == OriginClass.THIRD_PARTY  # EPEL
    assert kinds["epel-release"] == OriginClass.LOCAL  # installed from a file
    assert kinds["acme-tools"] == OriginClass.PROVIDER
    assert kinds["mycorp-agent"] == OriginClass.LOCAL


def test_rpm_origin_without_repository_data_uses_the_vendor_alone() -> None:
    records, _ = parse_rpm_query((DATA / "rpm" / "almalinux9-rpm-qa.txt").read_bytes())
    kinds = {
        r.name: classify_rpm_origin(r, None, distro="almalinux", rules=OriginRules()).kind
        for r in records
    }
    assert kinds["bash"] == "os_vendor"
    assert kinds["htop"] == kinds["acme-tools"] == "third_party"
    assert kinds["mycorp-agent"] == "local"
