"""The work document: a recorded run, as JSON types only, round-trips through ``json``."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from engine.remediate.support import START, Clock, ReplayConnect, load, plan_of, target_of
from patchdesk.engine.remediate import RunOptions, run_work
from patchdesk.engine.remediate.document import (
    WORK_DOCUMENT_SCHEMA,
    work_document,
    work_document_json,
)


def test_a_recorded_run_becomes_a_json_document_with_its_plan() -> None:
    recorded = load("apt-update-done")
    plan = asyncio.run(plan_of(recorded))
    result = asyncio.run(
        run_work(
            plan,
            target_of(recorded),
            window_ends_at=START + timedelta(hours=1),
            clock=Clock(),
            connect=ReplayConnect(recorded.connections),
            options=RunOptions(lock_wait_s=300),
        )
    )
    document = work_document(result, plan)
    assert json.loads(work_document_json(result, plan)) == document
    assert document["schema"] == WORK_DOCUMENT_SCHEMA
    assert document["result"]["status"] == "done"
    assert document["result"]["started_at"] == result.started_at.isoformat()
    assert len(document["result"]["steps"]) == len(result.steps)
    assert {c["name"] for c in document["result"]["changes"]} == {c.name for c in result.changes}
    assert document["plan"]["package_manager"] == plan.package_manager.value
    assert isinstance(document["plan"]["restart"]["services"], list)
    assert work_document(result)["plan"] is None
