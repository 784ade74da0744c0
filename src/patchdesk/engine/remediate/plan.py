"""Build the work plan for one server from the requested items and its inventory.

Only the requested packages are updated, to at least the requested versions; a full upgrade
happens only when the request says so. Every name and version is validated for the server's
package format: one invalid item refuses the whole plan (bad input changes nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from patchdesk.engine.collect.lines import describe
from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform
from patchdesk.engine.model.work import (
    ItemState,
    PackageManager,
    PlannedItem,
    PlanRefusal,
    PlanRefusalCode,
    RequestedItem,
    RestartPolicy,
    WorkPlan,
)
from patchdesk.engine.remediate.items import evaluate_items
from patchdesk.engine.remediate.kernel import find_kernel_target
from patchdesk.engine.remediate.names import (
    ADVISORY_ID,
    CVE_ID,
    SERVICE_NAME,
    name_problem,
    version_problem,
)

__all__ = ["build_work_plan", "select_package_manager"]


def select_package_manager(platform: Platform) -> PackageManager | None:
    """The package manager the work drives on ``platform`` (None: not supported)."""
    if platform.family is OsFamily.DEBIAN and platform.package_format is PackageFormat.DPKG:
        return PackageManager.APT
    if platform.family is OsFamily.SUSE:
        return PackageManager.ZYPPER
    if platform.family is OsFamily.REDHAT:
        major = platform.release.split(".", 1)[0]
        if platform.distro == "amzn":
            return PackageManager.YUM if major == "2" else PackageManager.DNF
        return PackageManager.YUM if major.isdigit() and int(major) < 8 else PackageManager.DNF
    return None


def _item_problems(item: RequestedItem, package_format: PackageFormat) -> list[str]:
    checks = (
        name_problem(package_format, item.package),
        version_problem(package_format, item.min_version),
    )
    return [f"{describe(item.package)}: {problem}" for problem in checks if problem]


def _refusal(code: PlanRefusalCode, message: str, **params: str) -> PlanRefusal:
    return PlanRefusal(code=code, message=message, params=params)


def _meta_missing(items: Sequence[PlannedItem]) -> PlanRefusal:
    problems = tuple(
        f"{describe(i.request.package)}: no metapackage of the kernel flavour "
        f"{describe(i.kernel.flavour if i.kernel else '')!r} is installed"
        for i in items
    )
    return PlanRefusal(
        code=PlanRefusalCode.KERNEL_META_MISSING,
        message="a kernel fix ships in a new kernel package that only the flavour's "
        "metapackage pulls in: install the kernel metapackage for the flavour, or update the "
        "kernel by hand",
        params={
            "packages": ", ".join(i.request.package for i in items),
            "flavour": ", ".join(dict.fromkeys(i.kernel.flavour for i in items if i.kernel)),
        },
        problems=problems,
    )


def build_work_plan(
    requested: Sequence[RequestedItem],
    inventory: HostInventory,
    *,
    allow_full_upgrade: bool = False,
    allow_reboot: bool = False,
    restart_services: RestartPolicy | None = None,
    allowed_dependencies: Collection[str] = (),
    passphrases_on_file: Collection[str] = (),
) -> WorkPlan | PlanRefusal:
    """The plan for ``inventory``'s server, or why there cannot be one.

    ``restart_services``: what the request allows restarting (default: nothing).
    ``allowed_dependencies``: packages the transaction may also install or upgrade.
    ``passphrases_on_file``: the web-server services (``apache2``, ``httpd``, ``nginx``) whose
    TLS passphrase the desk holds (the passphrases themselves go to ``run_work``).
    """
    platform = inventory.platform
    if inventory.error is not None or platform is None:
        detail = inventory.error.message if inventory.error else "no platform detected"
        return _refusal(
            PlanRefusalCode.INVENTORY_UNUSABLE,
            f"{inventory.target}: the inventory cannot be used: {detail}",
            target=inventory.target,
        )
    manager = select_package_manager(platform)
    if manager is None:
        return _refusal(
            PlanRefusalCode.UNSUPPORTED_PLATFORM,
            f"{inventory.target}: no supported package manager for {platform.key}",
            platform=platform.key,
        )
    if not requested and not allow_full_upgrade:
        return _refusal(PlanRefusalCode.NOTHING_REQUESTED, "no item was requested")
    package_format = platform.package_format
    problems = [p for item in requested for p in _item_problems(item, package_format)]
    problems += [
        f"allowed dependency: {problem}"
        for name in allowed_dependencies
        if (problem := name_problem(package_format, name))
    ]
    policy = restart_services or RestartPolicy()
    problems += [
        f"restart: invalid service name {describe(name)!r}"
        for name in (*policy.services, *passphrases_on_file)
        if not SERVICE_NAME.fullmatch(name)
    ]
    if problems:
        return PlanRefusal(
            code=PlanRefusalCode.INVALID_ITEM,
            message=f"{len(problems)} invalid value(s) in the request",
            params={"count": str(len(problems))},
            problems=tuple(problems),
        )
    evaluation = evaluate_items(
        requested,
        inventory.packages,
        package_format,
        kernel=inventory.kernel,
        kernel_targets=[find_kernel_target(item, inventory) for item in requested],
    )
    if evaluation.meta_missing:
        return _meta_missing(evaluation.meta_missing)
    to_update = [i.request for i in evaluation.items if i.state is ItemState.TO_UPDATE]
    advisories = tuple(dict.fromkeys(r.advisory_id for r in to_update))
    # advisory ids and CVE ids are data; only ids of a safe shape are ever used in a command
    by_advisory = bool(to_update) and all(ADVISORY_ID.fullmatch(r.advisory_id) for r in to_update)
    cves = tuple(dict.fromkeys(c for r in to_update for c in r.cve_ids if CVE_ID.fullmatch(c)))
    by_cve = bool(to_update) and all(any(CVE_ID.fullmatch(c) for c in r.cve_ids) for r in to_update)
    tls = tuple(t.service for t in inventory.tls if t.needs_passphrase)
    return WorkPlan(
        target=inventory.target,
        hostname=inventory.hostname,
        platform_key=platform.key,
        package_format=package_format,
        package_manager=manager,
        native_arch=platform.arch,
        items=evaluation.items,
        packages=evaluation.packages,
        full_upgrade=allow_full_upgrade,
        allow_reboot=allow_reboot,
        restart=policy,
        allowed_dependencies=tuple(sorted(set(allowed_dependencies))),
        advisory_ids=advisories if by_advisory and manager is not PackageManager.APT else (),
        cve_ids=cves if by_cve and manager is PackageManager.ZYPPER else (),
        tls_services=tls,
        tls_passphrases_on_file=tuple(s for s in tls if s in set(passphrases_on_file)),
    )
