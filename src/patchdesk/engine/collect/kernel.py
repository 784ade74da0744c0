"""The running kernel against the installed kernel packages (pure).

A host whose running kernel no installed package provides is treated like a container or a
custom kernel (``is_running_packaged`` False): kernel advisories cannot be matched to it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Final

from patchdesk.engine.model.inventory import InstalledKernel, InstalledPackage, KernelInfo
from patchdesk.engine.model.platform import OsFamily

__all__ = ["VersionCompare", "build_kernel_info", "installed_kernels"]

VersionCompare = Callable[[str, str], int]
"""``compare(a, b)`` → negative, 0, positive, in the platform's version scheme."""

_DEB_KERNEL: Final = re.compile(r"linux-image-(?:unsigned-)?(?P<release>\d[A-Za-z0-9.+~-]*)")
_DEB_NOT_KERNEL: Final = ("-dbg", "-dbgsym")
_RH_KERNEL: Final = re.compile(r"kernel(?:\d+\.\d+)?(?:-uek|-lt|-ml)?(?:-core)?")
_SUSE_KERNEL: Final = re.compile(r"kernel-(?P<flavor>default|azure|rt|preempt|64kb)(?:-base)?")


def _kernel_release(package: InstalledPackage, family: OsFamily) -> str | None:  # noqa: PLR0911
    name = package.name
    if family is OsFamily.DEBIAN:
        match = _DEB_KERNEL.fullmatch(name)
        if match is None or name.endswith(_DEB_NOT_KERNEL):
            return None
        return match.group("release").removesuffix("-unsigned")
    rpm = package.rpm
    if rpm is None:
        return None
    if family is OsFamily.SUSE:
        match = _SUSE_KERNEL.fullmatch(name)
        if match is None:
            return None
        release = rpm.release.rsplit(".", 1)[0] if "." in rpm.release else rpm.release
        return f"{rpm.version}-{release}-{match.group('flavor')}"
    if _RH_KERNEL.fullmatch(name):
        return f"{rpm.version}-{rpm.release}.{package.arch}"
    return None


def installed_kernels(
    packages: Iterable[InstalledPackage], family: OsFamily
) -> tuple[InstalledKernel, ...]:
    """The kernel packages, one per kernel release (``kernel`` and ``kernel-core`` merge)."""
    kernels: dict[str, InstalledKernel] = {}
    for package in packages:
        release = _kernel_release(package, family)
        if release is not None and release not in kernels:
            kernels[release] = InstalledKernel(
                package=package.name, version=package.version, kernel_release=release
            )
    return tuple(kernels.values())


def build_kernel_info(
    *,
    running_release: str,
    running_version: str,
    packages: Iterable[InstalledPackage],
    family: OsFamily,
    compare: VersionCompare | None,
) -> KernelInfo:
    """Which installed kernel is running, and which installed ones are newer.

    ``compare`` orders package versions; without it ``newer_installed`` stays empty.
    """
    kernels = installed_kernels(packages, family)
    running = next((k for k in kernels if k.kernel_release == running_release), None)
    newer: tuple[str, ...] = ()
    if running is not None and compare is not None:
        order = functools.cmp_to_key(compare)
        newer = tuple(
            k.kernel_release
            for k in sorted(kernels, key=lambda k: order(k.version))
            if compare(k.version, running.version) > 0
        )
    return KernelInfo(
        running_release=running_release,
        running_version=running_version,
        installed=kernels,
        running_package=running.package if running else "",
        is_running_packaged=running is not None,
        newer_installed=newer,
    )
