"""Many servers at once: a bounded pool, results in input order, one failure stops nobody;
the targets' own secrets are masked without being named."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from engine.remediate.support import START, Clock, ReplayConnect, load, plan_of, target_of
from patchdesk.engine.model.work import WorkReason, WorkResult, WorkStatus
from patchdesk.engine.remediate import MASK, RunOptions, WorkJob, run_works, run_works_blocking
from patchdesk.engine.transport import SshCredentials, SshTarget


def _jobs(names: list[str]) -> tuple[list[WorkJob], list[ReplayConnect]]:
    jobs, connects = [], []
    for name in names:
        recorded = load(name)
        jobs.append(
            WorkJob(
                plan=asyncio.run(plan_of(recorded)),
                target=target_of(recorded),
                window_ends_at=START + timedelta(hours=1),
            )
        )
        connects.append(ReplayConnect(recorded.connections))
    return jobs, connects


def test_results_in_input_order_with_at_most_n_at_once() -> None:
    names = ["apt-update-done", "dnf-advisory-done", "apt-refused-removal"]
    jobs, connects = _jobs(names)
    chosen = {id(job.target): c for job, c in zip(jobs, connects, strict=True)}
    running, peak = 0, 0
    finished: list[WorkResult] = []

    def connect(target: SshTarget) -> object:
        inner = chosen[id(target)](target)

        class Counted:
            async def __aenter__(self) -> object:
                nonlocal running, peak
                running += 1
                peak = max(peak, running)
                return await inner.__aenter__()

            async def __aexit__(self, *exc: object) -> None:
                nonlocal running
                running -= 1
                await inner.__aexit__(*exc)

        return Counted()

    results = asyncio.run(
        run_works(
            jobs,
            clock=Clock(),
            concurrency=2,
            connect=connect,  # type: ignore[arg-type]
            on_result=finished.append,
            options=RunOptions(lock_wait_s=300),
        )
    )
    assert [r.status for r in results] == [WorkStatus.DONE, WorkStatus.DONE, WorkStatus.REFUSED]
    assert [r.target for r in results] == [j.plan.target for j in jobs]
    assert peak <= 2
    assert sorted(r.target for r in finished) == sorted(r.target for r in results)


def test_one_unreachable_server_stops_nobody() -> None:
    jobs, connects = _jobs(["apt-update-done", "dnf-advisory-done"])
    replays = iter([ReplayConnect([]), connects[1]])
    chosen = {id(job.target): next(replays) for job in jobs}
    results = run_works_blocking(
        jobs,
        clock=Clock(),
        connect=lambda target: chosen[id(target)](target),
        options=RunOptions(lock_wait_s=300),
    )
    assert [r.status for r in results] == [WorkStatus.REFUSED, WorkStatus.DONE]
    assert results[0].reason is WorkReason.UNREACHABLE


def test_a_pool_needs_at_least_one_slot() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        asyncio.run(run_works([], clock=Clock(), concurrency=0))


def test_the_targets_passwords_are_masked_even_when_a_server_prints_them() -> None:
    recorded = load("apt-update-done")
    jump = SshTarget(
        host="bastion",
        credentials=SshCredentials(username="j", password="Fetched"),
        host_key=target_of(recorded).host_key,
    )
    target = dataclasses.replace(
        target_of(recorded, password="Reading package lists", sudo_password="Building"),
        jump=jump,
    )
    job = WorkJob(
        plan=asyncio.run(plan_of(recorded)),
        target=target,
        window_ends_at=START + timedelta(hours=1),
        passphrases={"apache2": "dependency tree"},
        secrets_to_mask=("Reading state",),
    )
    (result,) = run_works_blocking(
        [job],
        clock=Clock(),
        connect=ReplayConnect(recorded.connections),
        options=RunOptions(lock_wait_s=300),
    )
    assert result.status is WorkStatus.DONE
    text = repr(dataclasses.asdict(result))
    for secret in (
        "Reading package lists",
        "Building",
        "Fetched",
        "dependency tree",
        "Reading state",
    ):
        assert secret not in text
    assert MASK in text
    assert "dependency tree" not in repr(job)


def test_a_jobs_own_progress_callback_gets_its_progress_and_the_pools_gets_the_rest() -> None:
    jobs, connects = _jobs(["apt-update-done", "dnf-advisory-done"])
    own: list[str] = []
    pooled: list[str] = []
    jobs[0] = dataclasses.replace(jobs[0], on_progress=lambda p: own.append(p.phase))
    chosen = {id(job.target): c for job, c in zip(jobs, connects, strict=True)}
    run_works_blocking(
        jobs,
        clock=Clock(),
        connect=lambda target: chosen[id(target)](target),
        on_progress=lambda p: pooled.append(p.phase),
        options=RunOptions(lock_wait_s=300),
    )
    assert own[-1:] == ["finished"]
    assert pooled[-1:] == ["finished"]
    assert own.count("finished") == pooled.count("finished") == 1
