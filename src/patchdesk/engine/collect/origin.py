"""Class each installed package by where it came from: OS vendor, the provider's own
repository, a third party, or no repository at all (a local .deb/.rpm).

Debian family: the sources ``apt-cache policy`` lists for the *installed* version, with the
``Origin``/``Label`` of their signed Release files. A version found in no index is local.
RPM family: the repository dnf/yum/zypper recorded at install time, and the rpm ``Vendor``.
When several sources carry the installed version, the best class wins
(OS vendor, then provider, then third party): the vendor's advisories then cover it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.collect.dpkg import AptPolicy, AptSource
from patchdesk.engine.collect.rpm import NO_REPOSITORY, RpmRecord
from patchdesk.engine.model.inventory import OriginClass, PackageOrigin

__all__ = [
    "OS_VENDOR_APT_ORIGINS",
    "OS_VENDOR_RPM_VENDORS",
    "OriginRules",
    "classify_apt_origin",
    "classify_rpm_origin",
]

OS_VENDOR_APT_ORIGINS: Final[Mapping[str, frozenset[str]]] = {
    "debian": frozenset({"Debian"}),
    "ubuntu": frozenset({"Ubuntu", "UbuntuESM", "UbuntuESMApps"}),
}
"""Release ``Origin`` values of each distribution's own archives."""

OS_VENDOR_RPM_VENDORS: Final[Mapping[str, tuple[str, ...]]] = {
    "rhel": ("Red Hat",),
    "almalinux": ("AlmaLinux",),
    "rocky": ("Rocky",),
    "centos": ("CentOS",),
    "ol": ("Oracle",),
    "amzn": ("Amazon",),
    "sles": ("SUSE",),
    "opensuse-leap": ("SUSE", "openSUSE"),
    "opensuse": ("SUSE", "openSUSE"),
}
"""Start of the rpm ``Vendor`` of each distribution's own packages."""

_RANK: Final = {
    OriginClass.OS_VENDOR: 0,
    OriginClass.PROVIDER: 1,
    OriginClass.THIRD_PARTY: 2,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginRules:
    """How to recognise the provider's own repositories (from the desk's settings).

    ``apt_origins`` match a Release file's ``Origin`` or ``Label``; ``url_prefixes`` match an
    apt source URI; ``repo_ids`` match a dnf/yum/zypper repository id (case-insensitive);
    ``rpm_vendors`` match the start of an rpm ``Vendor``.
    """

    apt_origins: tuple[str, ...] = ()
    url_prefixes: tuple[str, ...] = ()
    repo_ids: tuple[str, ...] = ()
    rpm_vendors: tuple[str, ...] = ()


def _classify_apt_source(source: AptSource, distro: str, rules: OriginRules) -> PackageOrigin:
    origin = source.release.get("o", "")
    label = source.release.get("l", "")
    repository = source.location.removesuffix(" Packages")
    shown = label or origin
    if source.uri.startswith(rules.url_prefixes) or {origin, label} & set(rules.apt_origins):
        return PackageOrigin(kind=OriginClass.PROVIDER, repository=repository, label=shown)
    if origin in OS_VENDOR_APT_ORIGINS.get(distro, frozenset()):
        return PackageOrigin(kind=OriginClass.OS_VENDOR, repository=repository, label=shown)
    return PackageOrigin(kind=OriginClass.THIRD_PARTY, repository=repository, label=shown)


def classify_apt_origin(
    policy: AptPolicy | None,
    sources: Mapping[str, AptSource],
    *,
    distro: str,
    rules: OriginRules,
) -> PackageOrigin:
    """The origin of one installed Debian package from its ``apt-cache policy`` answer."""
    if policy is None:
        return PackageOrigin(kind=OriginClass.UNKNOWN)
    candidates = []
    for location in policy.sources:
        if location == "/var/lib/dpkg/status":
            continue
        source = sources.get(location) or AptSource(location=location, priority=0)
        candidates.append(_classify_apt_source(source, distro, rules))
    if not candidates:
        return PackageOrigin(kind=OriginClass.LOCAL)
    return min(candidates, key=lambda origin: _RANK[origin.kind])


def classify_rpm_origin(
    record: RpmRecord, repository: str | None, *, distro: str, rules: OriginRules
) -> PackageOrigin:
    """The origin of one rpm from its vendor and (when known) its install repository.

    ``repository`` is None when the host had no dnf/yum/zypper answer; then a package with a
    vendor is classed by the vendor alone and one without a vendor is local.
    """
    vendor = record.vendor
    has_repo = repository is not None and repository not in NO_REPOSITORY
    repo = repository if has_repo and repository is not None else ""
    provider_ids = {repo_id.lower() for repo_id in rules.repo_ids}
    if (has_repo and repo in provider_ids) or (
        vendor and rules.rpm_vendors and vendor.startswith(rules.rpm_vendors)
    ):
        kind = OriginClass.PROVIDER
    elif vendor.startswith(OS_VENDOR_RPM_VENDORS.get(distro, ())) and vendor:
        kind = OriginClass.OS_VENDOR
    elif has_repo or (repository is None and vendor):
        kind = OriginClass.THIRD_PARTY
    else:
        kind = OriginClass.LOCAL
    return PackageOrigin(kind=kind, repository=repo, label=vendor)
