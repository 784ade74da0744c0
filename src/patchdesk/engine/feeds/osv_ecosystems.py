"""OSV ``package.ecosystem`` strings of OS distributions -> patchdesk platform keys.

The ecosystem strings are those of the OSV schema (https://ossf.github.io/osv-schema/,
``ecosystems.json``). Each maps to the release a host's os-release names:

============================================  ==========================  =====================
OSV ecosystem                                 platform key                 notes
============================================  ==========================  =====================
``Debian:12``                                 ``debian:12``                source package names
``Ubuntu:22.04:LTS`` / ``Ubuntu:25.04``       ``ubuntu:22.04``             source package names
``Ubuntu:Pro:14.04:LTS``                      ``ubuntu:14.04``             channel ``ubuntu-pro``
``AlmaLinux:9``                               ``almalinux:9``              binary RPM names
``Rocky Linux:9``                             ``rocky:9``                  binary RPM names
``Red Hat:enterprise_linux:9::baseos``        ``rhel:9``                   main stream
``Red Hat:rhel_eus:9.2::appstream``           ``rhel:9.2``                 fixed-minor stream
``SUSE:Linux Enterprise Server 15 SP5``       ``sles:15.5``                also modules, SAP, HPC
``SUSE:Linux Enterprise Server 15 SP4-LTSS``  ``sles:15.4``                channel ``suse-ltss``
``SUSE:Linux Enterprise Desktop 15 SP5``      ``sled:15.5``
``SUSE:Linux Enterprise Micro 5.5``           ``sle-micro:5.5``
``openSUSE:Leap 15.5``                        ``opensuse-leap:15.5``       source package names
``openSUSE:Leap Micro 5.5``                   ``opensuse-leap-micro:5.5``
``openSUSE:Tumbleweed``                       ``opensuse-tumbleweed:rolling``
============================================  ==========================  =====================

Anything else (language ecosystems, other SUSE or Red Hat products) raises
:class:`~patchdesk.engine.feeds.json_fields.FieldError`: the parser rejects that entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.feeds.csaf_common import map_rhel_cpe
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.model.advisory import PackageNameKind
from patchdesk.engine.model.platform import PackageFormat

__all__ = ["EcosystemTarget", "map_osv_ecosystem"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EcosystemTarget:
    """Where the packages of one OSV ``affected`` entry live."""

    platform_key: str
    version_format: PackageFormat
    name_kind: PackageNameKind
    channel: str = ""


_RELEASE_MAJOR: Final = re.compile(r"(\d{1,3})(?:\.\d{1,3})?")
_UBUNTU_RELEASE: Final = re.compile(r"\d{2}\.\d{2}")
_SUSE_VERSION: Final = re.compile(r"(\d{1,2})(?:\.(\d{1,2})| SP(\d{1,2}))?(?:-([A-Za-z]+))?")
# SUSE product names (after "SUSE:") whose packages install on the named OS release.
_SUSE_PRODUCTS: Final = (
    ("Linux Enterprise Server for SAP Applications ", "sles"),
    ("Linux Enterprise Server ", "sles"),
    ("Linux Enterprise Module for ", "sles"),  # "Module for Basesystem 15 SP5"
    ("Linux Enterprise High Performance Computing ", "sles"),
    ("Linux Enterprise High Availability Extension ", "sles"),
    ("Linux Enterprise Desktop ", "sled"),
    ("Linux Enterprise Micro ", "sle-micro"),
    ("Linux Micro ", "sl-micro"),
)


def _rpm_distro(distro: str, release: str, ecosystem: str) -> EcosystemTarget:
    match = _RELEASE_MAJOR.fullmatch(release)
    if match is None:
        raise FieldError(f"ecosystem {ecosystem!r} names no numeric release")
    return EcosystemTarget(
        platform_key=f"{distro}:{match.group(1)}",
        version_format=PackageFormat.RPM,
        name_kind=PackageNameKind.BINARY,
    )


def _ubuntu(parts: list[str], ecosystem: str) -> EcosystemTarget:
    releases = [part for part in parts if _UBUNTU_RELEASE.fullmatch(part)]
    extras = [part.lower() for part in parts if part not in releases and part != "LTS"]
    if len(releases) != 1 or not all(re.fullmatch(r"[a-z0-9-]{1,20}", e) for e in extras):
        raise FieldError(f"unsupported Ubuntu ecosystem {ecosystem!r}")
    return EcosystemTarget(
        platform_key=f"ubuntu:{releases[0]}",
        version_format=PackageFormat.DPKG,
        name_kind=PackageNameKind.SOURCE,
        channel="-".join(["ubuntu", *extras]) if extras else "",
    )


def _suse(product: str, ecosystem: str) -> EcosystemTarget:
    for prefix, distro in _SUSE_PRODUCTS:
        if not product.startswith(prefix):
            continue
        # "Module for Basesystem 15 SP5": the version is the last word(s) after the name.
        tail = product[len(prefix) :]
        match = re.search(r"(\d{1,2}(?:\.\d{1,2}| SP\d{1,2})?(?:-[A-Za-z]+)?)$", tail)
        version = _SUSE_VERSION.fullmatch(match.group(1)) if match else None
        if version is None:
            break
        major, minor, service_pack, suffix = version.groups()
        release = f"{major}.{minor or service_pack}" if (minor or service_pack) else major
        return EcosystemTarget(
            platform_key=f"{distro}:{release}",
            version_format=PackageFormat.RPM,
            name_kind=PackageNameKind.SOURCE,
            channel=f"suse-{suffix.lower()}" if suffix else "",
        )
    raise FieldError(f"unsupported SUSE product in ecosystem {ecosystem!r}")


def _opensuse(product: str, ecosystem: str) -> EcosystemTarget:
    if product == "Tumbleweed":
        key = "opensuse-tumbleweed:rolling"
    elif match := re.fullmatch(r"Leap Micro (\d{1,2}\.\d{1,2})", product):
        key = f"opensuse-leap-micro:{match.group(1)}"
    elif match := re.fullmatch(r"Leap (\d{1,2}\.\d{1,2})", product):
        key = f"opensuse-leap:{match.group(1)}"
    else:
        raise FieldError(f"unsupported openSUSE ecosystem {ecosystem!r}")
    return EcosystemTarget(
        platform_key=key, version_format=PackageFormat.RPM, name_kind=PackageNameKind.SOURCE
    )


def _debian(release: str, ecosystem: str) -> EcosystemTarget:
    if not re.fullmatch(r"\d{1,3}", release):
        raise FieldError(f"ecosystem {ecosystem!r} names no numeric Debian release")
    return EcosystemTarget(
        platform_key=f"debian:{release}",
        version_format=PackageFormat.DPKG,
        name_kind=PackageNameKind.SOURCE,
    )


def _red_hat(stream: str, ecosystem: str, *, source_rpm: bool) -> EcosystemTarget:
    key = map_rhel_cpe(stream)
    if key is None:
        raise FieldError(f"Red Hat product {stream!r} is not a RHEL release stream")
    kind = PackageNameKind.SOURCE if source_rpm else PackageNameKind.BINARY
    return EcosystemTarget(platform_key=key, version_format=PackageFormat.RPM, name_kind=kind)


_FAMILIES: Final[Mapping[str, Callable[[str, str], EcosystemTarget]]] = {
    "Debian": _debian,
    "Ubuntu": lambda rest, ecosystem: _ubuntu(rest.split(":"), ecosystem),
    "AlmaLinux": lambda rest, ecosystem: _rpm_distro("almalinux", rest, ecosystem),
    "Rocky Linux": lambda rest, ecosystem: _rpm_distro("rocky", rest, ecosystem),
    "SUSE": _suse,
    "openSUSE": _opensuse,
}


def map_osv_ecosystem(ecosystem: str, *, source_rpm: bool = False) -> EcosystemTarget:
    """The platform of an OSV ecosystem string; FieldError when patchdesk does not manage it.

    ``source_rpm``: the entry's purl says ``arch=src`` (Red Hat lists binary and source RPMs).
    """
    family, _, rest = ecosystem.partition(":")
    if family == "Red Hat":
        return _red_hat(rest, ecosystem, source_rpm=source_rpm)
    mapper = _FAMILIES.get(family)
    if mapper is None:
        raise FieldError(f"unsupported ecosystem {ecosystem[:80]!r}")
    return mapper(rest, ecosystem)
