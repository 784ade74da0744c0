"""Run the work on many servers at once with a bounded pool; one server's failure never stops
the others, and every job yields exactly one :class:`WorkResult`, in input order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from patchdesk.engine.collect.pool import Connect, ScanTarget
from patchdesk.engine.model.work import WorkPlan, WorkProgress, WorkResult
from patchdesk.engine.remediate.run import run_work
from patchdesk.engine.remediate.session import Clock, RunOptions, Sleep, default_sleep
from patchdesk.engine.transport.ssh import SshOptions

__all__ = ["DEFAULT_WORK_CONCURRENCY", "WorkJob", "run_works", "run_works_blocking"]

DEFAULT_WORK_CONCURRENCY: Final = 10
"""Servers updated at once: updates download packages and restart services, so fewer than
scans (each server's mirror and the provider's network share the load)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkJob:
    """One server's work: its plan, how to reach it, its window and its secrets.

    ``on_progress``, when set, receives this job's progress instead of the pool's callback
    (a caller that tracks each job separately needs no mapping from target names).
    """

    plan: WorkPlan
    target: ScanTarget
    window_ends_at: datetime
    passphrases: Mapping[str, str] = field(default_factory=dict, repr=False)
    secrets_to_mask: tuple[str, ...] = field(default=(), repr=False)
    on_progress: Callable[[WorkProgress], None] | None = field(default=None, compare=False)


async def run_works(
    jobs: Sequence[WorkJob],
    *,
    clock: Clock,
    concurrency: int = DEFAULT_WORK_CONCURRENCY,
    on_progress: Callable[[WorkProgress], None] | None = None,
    on_result: Callable[[WorkResult], None] | None = None,
    options: RunOptions | None = None,
    connect: Connect | None = None,
    ssh_options: SshOptions | None = None,
    sleep: Sleep = default_sleep,
) -> list[WorkResult]:
    """Run ``jobs`` with at most ``concurrency`` servers at once; results in input order."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    slots = asyncio.Semaphore(concurrency)

    async def one(job: WorkJob) -> WorkResult:
        async with slots:
            result = await run_work(
                job.plan,
                job.target,
                window_ends_at=job.window_ends_at,
                clock=clock,
                passphrases=job.passphrases,
                secrets_to_mask=job.secrets_to_mask,
                on_progress=job.on_progress or on_progress,
                options=options,
                connect=connect,
                ssh_options=ssh_options,
                sleep=sleep,
            )
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(job) for job in jobs)))


def run_works_blocking(jobs: Iterable[WorkJob], **kwargs: object) -> list[WorkResult]:
    """:func:`run_works` for synchronous callers (a desk job)."""
    return asyncio.run(run_works(list(jobs), **kwargs))  # type: ignore[arg-type]
