"""Kernel items: a requested package that is an installed kernel is fixed by a kernel of the
same flavour, installed and running.

Debian and Ubuntu ship a kernel fix in a *new* package with another ABI name
(``linux-image-6.1.0-21-amd64`` next to ``linux-image-6.1.0-18-amd64``), pulled in by the
flavour's metapackages (``linux-image-amd64``; Ubuntu ``linux-generic``, ``linux-image-generic``
...): the work updates those, and the dry run may install the new ABI's packages of that
flavour (:func:`is_new_kernel_package`), nothing else. RPM kernels (``kernel``,
``kernel-core``) are install-only packages: ``dnf upgrade kernel-core`` installs the new kernel
next to the old one. Either way the item is fixed once a kernel of the flavour at or above the
minimum runs; installed but not running yet, it is fixed pending a reboot.

Pure functions; the inventory's kernel section (``HostInventory.kernel``) says which installed
packages are kernels and which one runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.model.inventory import HostInventory, InstalledPackage, KernelInfo
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemState,
    KernelTarget,
    RequestedItem,
)
from patchdesk.engine.remediate.minimums import compared_version, highest_version, is_at_least

__all__ = [
    "KernelEvaluation",
    "KernelVerification",
    "evaluate_kernel",
    "find_kernel_target",
    "is_flavour_kernel",
    "is_new_kernel_package",
    "verify_kernel",
]

_ABI: Final = r"\d+\.\d+(?:\.\d+)?-\d+"  # 6.1.0-21, 5.15.0-91, 6.8.0-1012
_FLAVOUR: Final = r"[a-z0-9][a-z0-9+.-]*"
_DEB_RELEASE: Final = re.compile(rf"(?P<abi>{_ABI})-(?P<flavour>{_FLAVOUR})")
_HWE: Final = r"(?:-hwe-\d+\.\d+(?:-edge)?)?"


def _flavour_of(release: str) -> str | None:
    match = _DEB_RELEASE.fullmatch(release)
    return match["flavour"] if match else None


def _meta_pattern(distro: str, flavour: str) -> re.Pattern[str]:
    """Metapackage names of ``flavour``: Debian ``linux-image-amd64`` (and the headers'
    ``linux-headers-amd64``); Ubuntu ``linux-generic``, ``linux-image-generic``,
    ``linux-headers-generic``, ``linux-modules*-generic``, their HWE variants, and for
    ``generic`` the ``virtual`` ones (which depend on the generic kernel)."""
    names = [re.escape(flavour)]
    if distro == "ubuntu":
        if flavour == "generic":
            names.append("virtual")
        kinds = r"(?:-image|-headers|-modules|-modules-extra)?"
        return re.compile(rf"linux{kinds}-(?:{'|'.join(names)}){_HWE}")
    return re.compile(rf"linux-(?:image|headers)-{names[0]}")


def find_kernel_target(request: RequestedItem, inventory: HostInventory) -> KernelTarget | None:
    """The kernel target when ``request`` names an installed kernel (by the inventory's kernel
    section), else None (an ordinary package). ``metapackages`` is empty when no metapackage
    of the flavour is installed (Debian, Ubuntu): nothing would pull in a new kernel."""
    kernel, platform = inventory.kernel, inventory.platform
    if kernel is None or platform is None:
        return None
    kernels = [k for k in kernel.installed if k.package == request.package]
    if platform.package_format is PackageFormat.RPM:
        # kernel and kernel-core merge in the kernel section: the same version-release.arch
        releases = {k.kernel_release for k in kernel.installed}
        named = any(
            p.name == request.package
            and p.name.startswith("kernel")
            and p.rpm is not None
            and f"{p.rpm.version}-{p.rpm.release}.{p.arch}" in releases
            for p in inventory.packages
        )
        return KernelTarget(flavour=request.package) if kernels or named else None
    if not kernels:
        return None
    flavour = _flavour_of(kernels[0].kernel_release)
    if flavour is None:
        return None
    pattern = _meta_pattern(platform.distro, flavour)
    metas = sorted({p.name for p in inventory.packages if pattern.fullmatch(p.name)})
    return KernelTarget(flavour=flavour, metapackages=tuple(metas))


def is_flavour_kernel(target: KernelTarget, name: str, package_format: PackageFormat) -> bool:
    """A kernel image package of the target's flavour (never a ``-dbg`` one)."""
    if package_format is PackageFormat.RPM:
        return name == target.flavour
    flavour = re.escape(target.flavour)
    return (
        re.fullmatch(rf"linux-image-(?:unsigned-)?{_ABI}-{flavour}(?:-unsigned)?", name) is not None
    )


def is_new_kernel_package(target: KernelTarget, name: str) -> bool:
    """A package of a new kernel ABI of the flavour that the dry run may install (Debian,
    Ubuntu): the image (signed or unsigned), its modules, extra modules, headers, the ABI's
    common headers and ``linux-kbuild-*``. Never a ``-dbg`` image, never another flavour."""
    flavour = re.escape(target.flavour)
    patterns = (
        rf"linux-image-(?:unsigned-)?{_ABI}-{flavour}(?:-unsigned)?",
        rf"linux-modules(?:-extra)?-{_ABI}-{flavour}",
        rf"linux-headers-{_ABI}-{flavour}",
        rf"linux-headers-{_ABI}(?:-common(?:-rt)?)?",
        r"linux-kbuild-\d+(?:\.\d+)*",
    )
    return any(re.fullmatch(pattern, name) for pattern in patterns)


def _running(
    candidates: Sequence[InstalledPackage],
    kernel: KernelInfo | None,
    package_format: PackageFormat,
) -> list[InstalledPackage]:
    """The candidates that are the running kernel (rpm: ``kernel`` and ``kernel-core`` of one
    release share the version)."""
    if kernel is None:
        return []
    running = [k for k in kernel.installed if k.kernel_release == kernel.running_release]
    found = {(k.package, k.version) for k in running}
    by_version = {k.version for k in running}
    return [
        p
        for p in candidates
        if (
            p.version in by_version
            if package_format is PackageFormat.RPM
            else (p.name, p.version) in found
        )
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelVerification:
    """A kernel item against installed packages: the state and the compared versions."""

    is_running_fixed: bool
    fixed_installed: str  # the highest fixed kernel installed ("" when none)
    running_version: str  # the compared version of the running kernel of the flavour ("")


def _check(
    request: RequestedItem,
    target: KernelTarget,
    installed: Sequence[InstalledPackage],
    kernel: KernelInfo | None,
    package_format: PackageFormat,
) -> KernelVerification:
    candidates = [p for p in installed if is_flavour_kernel(target, p.name, package_format)]
    fixed = [
        compared_version(p, request.basis)
        for p in candidates
        if is_at_least(package_format, compared_version(p, request.basis), request.min_version)
    ]
    running = [
        compared_version(p, request.basis) for p in _running(candidates, kernel, package_format)
    ]
    return KernelVerification(
        is_running_fixed=any(is_at_least(package_format, v, request.min_version) for v in running),
        fixed_installed=highest_version(package_format, fixed),
        running_version=highest_version(package_format, running),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelEvaluation:
    state: ItemState
    to_update: tuple[InstalledPackage, ...]  # the metapackages (rpm: the kernel package)
    is_meta_missing: bool = False


def evaluate_kernel(
    request: RequestedItem,
    target: KernelTarget,
    installed: Sequence[InstalledPackage],
    kernel: KernelInfo | None,
    package_format: PackageFormat,
) -> KernelEvaluation:
    """Already fixed (a fixed kernel of the flavour runs), reboot only (one is installed), or
    to update: the installed metapackages (rpm: the kernel package, install-only)."""
    check = _check(request, target, installed, kernel, package_format)
    if check.is_running_fixed:
        return KernelEvaluation(state=ItemState.ALREADY_FIXED, to_update=())
    if check.fixed_installed:
        return KernelEvaluation(state=ItemState.REBOOT_ONLY, to_update=())
    if package_format is PackageFormat.RPM:
        own = tuple(p for p in installed if p.name == request.package)
        return KernelEvaluation(state=ItemState.TO_UPDATE, to_update=own[-1:])
    metas = set(target.metapackages)
    found = tuple(p for p in installed if p.name in metas)
    return KernelEvaluation(state=ItemState.TO_UPDATE, to_update=found, is_meta_missing=not found)


def verify_kernel(
    request: RequestedItem,
    target: KernelTarget,
    installed: Sequence[InstalledPackage],
    kernel: KernelInfo | None,
    package_format: PackageFormat,
    *,
    rebooted: bool,
) -> tuple[ItemOutcome, str]:
    """The outcome after the work and the version found (the running fixed kernel's, else the
    highest fixed one installed, else the running one). A fixed kernel installed but not
    running is ``fixed_pending_reboot``, unless the server was rebooted and still does not run
    it (the boot loader's default is another kernel): then it is not fixed."""
    check = _check(request, target, installed, kernel, package_format)
    if check.is_running_fixed:
        return ItemOutcome.FIXED, check.running_version
    if check.fixed_installed and not rebooted:
        return ItemOutcome.FIXED_PENDING_REBOOT, check.fixed_installed
    return ItemOutcome.NOT_FIXED, check.running_version or check.fixed_installed
