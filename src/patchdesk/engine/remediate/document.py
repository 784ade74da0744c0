"""A work result (or plan) as a JSON document, for storage and for the console's command log.

Everything in :class:`~patchdesk.engine.model.work.WorkResult` is plain data; this turns it
into JSON types only (enums become their values, datetimes ISO 8601 strings, sets sorted
lists). Secrets never reach it: the engine masks them before a result exists.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from patchdesk.engine.model.work import WorkPlan, WorkResult

__all__ = ["WORK_DOCUMENT_SCHEMA", "work_document", "work_document_json"]

WORK_DOCUMENT_SCHEMA: Final = 1


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def work_document(result: WorkResult, plan: WorkPlan | None = None) -> dict[str, Any]:
    """``{"schema": 1, "result": {...}, "plan": {...} | None}`` with JSON types only."""
    return {
        "schema": WORK_DOCUMENT_SCHEMA,
        "result": _plain(dataclasses.asdict(result)),
        "plan": None if plan is None else _plain(dataclasses.asdict(plan)),
    }


def work_document_json(result: WorkResult, plan: WorkPlan | None = None) -> str:
    return json.dumps(work_document(result, plan), ensure_ascii=False, sort_keys=True)
