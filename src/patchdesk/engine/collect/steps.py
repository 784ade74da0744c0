"""The collection steps after the platform is known: packages with their origins, restarts,
out-of-scope software and TLS passphrases. Each optional step degrades to a warning."""

from __future__ import annotations

from collections.abc import Sequence

from patchdesk.engine.collect import commands
from patchdesk.engine.collect.context import HostContext
from patchdesk.engine.collect.dpkg import (
    DpkgRecord,
    parse_apt_policy,
    parse_apt_policy_packages,
    parse_dpkg_query,
)
from patchdesk.engine.collect.origin import OriginRules, classify_apt_origin, classify_rpm_origin
from patchdesk.engine.collect.out_of_scope import (
    build_out_of_scope,
    ownership_candidates,
    parse_local_software,
    parse_owned_paths,
    parse_process_binaries,
)
from patchdesk.engine.collect.rpm import (
    RpmRecord,
    format_evr,
    parse_repoquery,
    parse_rpm_query,
    parse_zypper_installed,
)
from patchdesk.engine.collect.tls import (
    build_tls_services,
    key_paths_to_check,
    parse_tls_config,
    parse_tls_key_states,
)
from patchdesk.engine.model.inventory import (
    InstalledPackage,
    OriginClass,
    OutOfScopeItem,
    PackageOrigin,
    RpmDetails,
    TlsService,
)
from patchdesk.engine.model.platform import PackageFormat, Platform
from patchdesk.engine.transport.errors import CommandFailedError

__all__ = [
    "collect_out_of_scope",
    "collect_packages",
    "collect_tls",
]


def _required(context: HostContext, tool: str) -> None:
    if tool not in context.tools:
        raise CommandFailedError(
            f"{context.transport.target}: {tool} is not installed", params={"command": tool}
        )


async def _installed_dpkg(context: HostContext) -> list[DpkgRecord]:
    _required(context, "dpkg-query")
    result = await context.run(commands.DPKG_QUERY)
    if result.exit_status != 0 and not result.is_truncated:
        raise CommandFailedError(
            f"{context.transport.target}: dpkg-query failed: {result.stderr_line()}",
            params={"command": "dpkg-query", "detail": result.stderr_line()},
        )
    if result.is_truncated:
        context.warn("dpkg-query", "truncated", "dpkg-query output was cut at the size limit")
    records, rejections = parse_dpkg_query(result.stdout, is_truncated=result.is_truncated)
    context.add(rejections)
    return records


async def _dpkg_origins(
    context: HostContext, records: Sequence[DpkgRecord], platform: Platform, rules: OriginRules
) -> list[PackageOrigin]:
    unknown = [PackageOrigin(kind=OriginClass.UNKNOWN)] * len(records)
    if "apt-cache" not in context.tools:
        context.warn("apt-cache policy", "no_origin_data", "apt-cache is not installed")
        return unknown
    sources_out = context.output("apt-cache policy", await context.run(commands.APT_POLICY))
    if sources_out is None:
        return unknown
    sources, rejections = parse_apt_policy(sources_out)
    context.add(rejections)
    if all(source.is_dpkg_status for source in sources.values()):
        context.warn(
            "apt-cache policy",
            "no_origin_data",
            "the host has no package indexes (apt-get update never ran): origins unknown",
        )
        return unknown
    names = [
        f"{r.name}:{r.arch}" if r.arch not in ("all", platform.arch) else r.name for r in records
    ]
    stdin = "".join(f"{name}\n" for name in dict.fromkeys(names)).encode()
    result = await context.run(commands.APT_POLICY_PACKAGES, stdin=stdin)
    out = context.output("apt-cache policy (packages)", result)
    if out is None:
        return unknown
    policies, rejections = parse_apt_policy_packages(out, is_truncated=result.is_truncated)
    context.add(rejections)
    origins = []
    for record, name in zip(records, names, strict=True):
        policy = policies.get(name) or policies.get(f"{record.name}:{record.arch}")
        if policy is not None and policy.installed != record.version:
            policy = None
        origins.append(classify_apt_origin(policy, sources, distro=platform.distro, rules=rules))
    return origins


async def _installed_rpm(context: HostContext) -> list[RpmRecord]:
    _required(context, "rpm")
    result = await context.run(commands.RPM_QUERY)
    if result.exit_status != 0 and not result.is_truncated:
        raise CommandFailedError(
            f"{context.transport.target}: rpm -qa failed: {result.stderr_line()}",
            params={"command": "rpm -qa", "detail": result.stderr_line()},
        )
    if result.is_truncated:
        context.warn("rpm -qa", "truncated", "rpm -qa output was cut at the size limit")
    records, rejections = parse_rpm_query(result.stdout, is_truncated=result.is_truncated)
    context.add(rejections)
    return records


async def _rpm_repositories(context: HostContext) -> dict[tuple[str, str, str], str] | None:
    if "dnf" in context.tools:
        source, command = "dnf repoquery", commands.DNF_REPOQUERY
    elif "repoquery" in context.tools:
        source, command = "repoquery", commands.YUM_REPOQUERY
    elif "zypper" in context.tools:
        result = await context.run(commands.ZYPPER_INSTALLED)
        out = context.output("zypper search", result)
        if out is None:
            return None
        repos, rejections = parse_zypper_installed(out, is_truncated=result.is_truncated)
        context.add(rejections)
        return repos
    else:
        context.warn("repoquery", "no_origin_data", "no dnf, repoquery or zypper: vendor only")
        return None
    result = await context.run(command)
    out = context.output(source, result)
    if out is None:
        return None
    repos, rejections = parse_repoquery(out, source=source, is_truncated=result.is_truncated)
    context.add(rejections)
    return repos


async def collect_packages(
    context: HostContext, platform: Platform, rules: OriginRules, *, with_origins: bool
) -> tuple[InstalledPackage, ...]:
    """Installed packages with their origins; raises :class:`CommandFailedError` when the
    package database cannot be read."""
    if platform.package_format is PackageFormat.DPKG:
        records = await _installed_dpkg(context)
        origins = (
            await _dpkg_origins(context, records, platform, rules)
            if with_origins
            else [PackageOrigin(kind=OriginClass.UNKNOWN)] * len(records)
        )
        return tuple(
            InstalledPackage(
                name=r.name,
                version=r.version,
                arch=r.arch,
                source_name=r.source_name,
                source_version=r.source_version,
                origin=origin,
            )
            for r, origin in zip(records, origins, strict=True)
        )
    rpms = await _installed_rpm(context)
    repos = await _rpm_repositories(context) if with_origins else None
    packages = []
    for r in rpms:
        evr = format_evr(r.epoch, r.version, r.release)
        repo = None if repos is None else repos.get((r.name, r.arch, evr), "")
        packages.append(
            InstalledPackage(
                name=r.name,
                version=evr,
                arch=r.arch,
                source_name=r.source_name,
                source_version=evr,
                origin=classify_rpm_origin(r, repo, distro=platform.distro, rules=rules),
                rpm=RpmDetails(
                    epoch=r.epoch,
                    version=r.version,
                    release=r.release,
                    vendor=r.vendor,
                    source_rpm=r.source_rpm,
                ),
            )
        )
    return tuple(packages)


async def collect_out_of_scope(
    context: HostContext, platform: Platform
) -> tuple[OutOfScopeItem, ...]:
    """Unowned executables/libraries under /usr/local and /opt, and unowned running binaries."""
    found = await context.run_root(commands.FIND_LOCAL_SOFTWARE)
    files, rejections, is_cut = parse_local_software(found.stdout, is_truncated=found.is_truncated)
    context.add(rejections)
    if is_cut:
        context.warn(
            "find /usr/local /opt",
            "truncated",
            f"more than {commands.MAX_LOCAL_FILES} files: only the first are listed",
        )
    exes_result = await context.run_root(commands.PROC_EXES)
    binaries, rejections = parse_process_binaries(
        exes_result.stdout, is_truncated=exes_result.is_truncated
    )
    context.add(rejections)
    candidates = ownership_candidates([*files, *binaries])
    owned: set[str] = set()
    if candidates:
        command = (
            commands.DPKG_OWNED_PATHS
            if platform.package_format is PackageFormat.DPKG
            else commands.RPM_OWNED_PATHS
        )
        stdin = "".join(f"{path}\n" for path in candidates).encode()
        out = context.output("package file ownership", await context.run(command, stdin=stdin))
        if out is None:
            return ()
        owned, rejections = parse_owned_paths(out)
        context.add(rejections)
    return build_out_of_scope(local_files=files, process_binaries=binaries, owned=owned)


async def collect_tls(context: HostContext) -> tuple[TlsService, ...]:
    """Web servers whose TLS keys need a passphrase to start (R13)."""
    out = context.output("TLS configuration", await context.run_root(commands.TLS_CONFIG))
    if out is None:
        return ()
    directives, rejections = parse_tls_config(out)
    context.add(rejections)
    paths = key_paths_to_check(directives)
    states: dict[str, str] | None = None
    if paths and context.is_privileged:
        result = await context.run_root(commands.tls_key_check(paths))
        if (checked := context.output("TLS key check", result)) is not None:
            states, rejections = parse_tls_key_states(checked, paths)
            context.add(rejections)
    services, skipped = build_tls_services(directives, states)
    if skipped:
        context.warn(
            "TLS configuration",
            "key_path_unresolved",
            "key paths built from variables were not checked: " + ", ".join(skipped[:5]),
            count=len(skipped),
        )
    return services
