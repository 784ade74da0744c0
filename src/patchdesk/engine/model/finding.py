"""What matching found on a server: the advisories that affect its installed packages."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from patchdesk.engine.model.advisory import Confidence, FixStatus

__all__ = ["CannotEvaluate", "HostMatch", "KernelState", "MatchMethod", "PackageFinding"]


class MatchMethod(enum.StrEnum):
    BINARY_NAME = "binary_name"  # the advisory names the installed binary package
    SOURCE_NAME = "source_name"  # the advisory names its source package (Debian, Ubuntu)


class KernelState(enum.StrEnum):
    """For kernel packages: only the running kernel is exposed."""

    NOT_KERNEL = "not_kernel"
    RUNNING = "running"  # the affected kernel is the one running
    NOT_RUNNING = "not_running"  # an installed kernel that is not running: not exposed


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageFinding:
    """One advisory affecting one installed package, with how it was decided."""

    advisory_id: str
    advisory_source: str
    package: str  # the installed binary package
    installed_version: str
    fixed_version: str | None  # None when there is no fix (yet)
    fix_status: FixStatus
    cve_ids: tuple[str, ...]
    match_method: MatchMethod
    matched_name: str  # the name the advisory used (binary or source)
    compared_version: str  # the installed version compared (binary or source version)
    confidence: Confidence
    channel: str = ""
    kernel_state: KernelState = KernelState.NOT_KERNEL


@dataclass(frozen=True, slots=True, kw_only=True)
class CannotEvaluate:
    """A package whose exposure cannot be decided: never a silent "not vulnerable"."""

    package: str
    version: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HostMatch:
    """The result for one server.

    ``findings`` concern packages in the service's scope (OS vendor or provider origin);
    ``out_of_scope_findings`` concern packages from other origins (third-party repositories,
    locally installed files) and are reported separately (R5).
    """

    target: str
    platform_key: str
    findings: tuple[PackageFinding, ...] = ()
    out_of_scope_findings: tuple[PackageFinding, ...] = ()
    cannot_evaluate: tuple[CannotEvaluate, ...] = ()
    is_platform_known: bool = True
