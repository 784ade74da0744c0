"""The restart step: reboot required, and services needing a restart, with the best tool the
host has (needrestart, needs-restarting) or deleted files in ``/proc/*/maps`` as a fallback."""

from __future__ import annotations

from patchdesk.engine.collect import commands
from patchdesk.engine.collect.context import HostContext
from patchdesk.engine.collect.restart import (
    RebootHint,
    parse_deleted_maps,
    parse_needrestart,
    parse_needs_restarting_reboot,
    parse_needs_restarting_services,
    parse_reboot_required_file,
)
from patchdesk.engine.model.inventory import (
    KernelInfo,
    RestartCheckMethod,
    RestartInfo,
    ServiceRestart,
)
from patchdesk.engine.model.platform import OsFamily, Platform

__all__ = ["collect_restart"]


async def _proc_maps(context: HostContext) -> tuple[ServiceRestart, ...] | None:
    if not context.is_privileged:
        context.warn(
            "proc-maps",
            "not_privileged",
            "not root and no sudo: processes needing a restart were not checked",
        )
        return None
    result = await context.run_root(commands.PROC_MAPS_DELETED)
    out = context.output("proc-maps", result)
    if out is None:
        return None
    services, rejections = parse_deleted_maps(out, is_truncated=result.is_truncated)
    context.add(rejections)
    return services


async def _debian(
    context: HostContext,
) -> tuple[list[RebootHint], tuple[ServiceRestart, ...] | None, RestartCheckMethod]:
    hints = []
    out = context.output("reboot-required", await context.run(commands.REBOOT_REQUIRED_FILE))
    if out is not None:
        hint, rejections = parse_reboot_required_file(out)
        context.add(rejections)
        hints.append(hint)
    if "needrestart" in context.tools and context.is_privileged:
        out = context.output("needrestart", await context.run_root(commands.NEEDRESTART))
        if out is not None:
            report, rejections = parse_needrestart(out)
            context.add(rejections)
            if report.reboot is not None:
                hints.append(report.reboot)
            return hints, report.services, RestartCheckMethod.NEEDRESTART
    return hints, await _proc_maps(context), RestartCheckMethod.PROC_MAPS


async def _rpm(
    context: HostContext,
) -> tuple[list[RebootHint], tuple[ServiceRestart, ...] | None, RestartCheckMethod]:
    if "needs-restarting" not in context.tools:
        return [], await _proc_maps(context), RestartCheckMethod.PROC_MAPS
    hints = []
    result = await context.run(commands.NEEDS_RESTARTING_REBOOT)
    hint, rejections = parse_needs_restarting_reboot(result.stdout, result.exit_status)
    context.add(rejections)
    if hint is None:
        context.output("needs-restarting -r", result, ok_status=(0, 1))
    else:
        hints.append(hint)
    if context.is_privileged:
        result = await context.run_root(commands.NEEDS_RESTARTING_SERVICES)
        out = context.output("needs-restarting -s", result)
        if out is not None:
            services, rejections = parse_needs_restarting_services(out)
            context.add(rejections)
            return hints, services, RestartCheckMethod.NEEDS_RESTARTING
    return hints, await _proc_maps(context), RestartCheckMethod.PROC_MAPS


async def collect_restart(
    context: HostContext, platform: Platform, kernel: KernelInfo | None
) -> RestartInfo:
    """Combine every answer: a reboot is required when any source says so, unknown when none
    could tell; a newer installed kernel than the running one is also a reason."""
    if platform.family is OsFamily.DEBIAN:
        hints, services, method = await _debian(context)
    else:
        hints, services, method = await _rpm(context)
    if kernel is not None and kernel.newer_installed:
        hints.append(
            RebootHint(
                is_required=True,
                reasons=(f"a newer kernel is installed ({kernel.newer_installed[-1]})",),
            )
        )
    required = any(h.is_required for h in hints) if hints else None
    reasons = tuple(dict.fromkeys(r for h in hints for r in h.reasons))
    packages = tuple(dict.fromkeys(p for h in hints for p in h.packages))
    return RestartInfo(
        reboot_required=required,
        reboot_reasons=reasons,
        reboot_packages=packages,
        services=services or (),
        method=method if services is not None else RestartCheckMethod.NONE,
    )
