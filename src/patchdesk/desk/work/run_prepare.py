"""From a claimed work run to the engine's job: the requested countermeasures become one
:class:`RequestedItem` per open finding with a fix; the server's last inventory and the names
of its passphrases on file give the :class:`WorkPlan`; its credentials the target. What cannot
be prepared is a refusal with nothing sent to the server."""

from __future__ import annotations

import dataclasses
import logging

from patchdesk.desk.cases.models import CaseItem
from patchdesk.desk.core.secrets import secret_decrypt
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.fleet.mappers import (
    MissingCredentialsError,
    inventory_from_scan,
    scan_target_for,
)
from patchdesk.desk.fleet.models import Scan
from patchdesk.desk.work.models import WorkOrder, WorkRun
from patchdesk.desk.work.reasons import NO_CREDENTIALS, NO_INVENTORY
from patchdesk.desk.work.services.runs import ALL_SERVICES
from patchdesk.engine.model.advisory import FixStatus
from patchdesk.engine.model.finding import MatchMethod
from patchdesk.engine.model.work import WorkReason
from patchdesk.engine.remediate import (
    PlanRefusal,
    RequestedItem,
    RestartPolicy,
    VersionBasis,
    WorkJob,
    WorkPlan,
    build_work_plan,
)
from patchdesk.engine.workflow.states import ItemState

logger = logging.getLogger(__name__)

__all__ = ["PreparedRun", "prepare_run", "prepare_run_or_refuse"]


@dataclasses.dataclass(slots=True)
class PreparedRun:
    """One claimed run, ready for the engine (``job``) or already refused (``refusal``)."""

    run: WorkRun
    items: list[CaseItem]
    requests: dict[int, list[str]]  # case item pk → its RequestedItem ids
    plan: WorkPlan | None = None
    job: WorkJob | None = None
    refusal: tuple[str, str] | None = None  # (code, detail)

    @classmethod
    def failed(cls, run: WorkRun, code: str, detail: str) -> PreparedRun:
        """``run`` ended before the engine could tell anything: none of its countermeasures
        in progress counts as fixed."""
        items = list(run.order.items.filter(state=ItemState.IN_PROGRESS).order_by("pk"))
        unknown = {item.pk: ["?"] for item in items}  # a request no result can answer
        return cls(run=run, items=items, requests=unknown, refusal=(code, detail))


def _requests_for(order: WorkOrder, items: list[CaseItem]) -> list[tuple[int, RequestedItem]]:
    """One request per open finding with a fix, for each countermeasure of the order."""
    found = Finding.objects.filter(
        server=order.server,
        advisory__in=[item.case.announcement.advisory_id for item in items],
        state=FindingState.OPEN,
        fix_status=FixStatus.FIXED,
    ).select_related("advisory")
    by_advisory: dict[int, list[Finding]] = {}
    for finding in found.order_by("pk"):
        by_advisory.setdefault(finding.advisory_id, []).append(finding)
    requests = []
    for item in items:
        for finding in by_advisory.get(item.case.announcement.advisory_id, []):
            requests.append(
                (
                    item.pk,
                    RequestedItem(
                        package=finding.package,
                        min_version=finding.fixed_version,
                        basis=VersionBasis.SOURCE
                        if finding.match_method == MatchMethod.SOURCE_NAME
                        else VersionBasis.BINARY,
                        advisory_id=finding.advisory.advisory_id,
                        cve_ids=tuple(finding.cve_ids),
                        item_id=f"{item.pk}:{finding.pk}",
                    ),
                )
            )
    return requests


def _restart_policy(names: list[str]) -> RestartPolicy:
    if ALL_SERVICES in names:
        return RestartPolicy(allow_all=True)
    return RestartPolicy.of(names)


def prepare_run(run: WorkRun) -> PreparedRun:
    order = run.order
    items = list(
        order.items.filter(state=ItemState.IN_PROGRESS)
        .select_related("case__announcement")
        .order_by("pk")
    )
    pairs = _requests_for(order, items)
    prepared = PreparedRun(run=run, items=items, requests={item.pk: [] for item in items})
    for item_pk, request in pairs:
        prepared.requests[item_pk].append(request.item_id)
    scan = (
        Scan.objects.filter(server=order.server, status=Scan.Status.SUCCEEDED)
        .exclude(document=b"")
        .order_by("-finished_at", "-pk")
        .first()
    )
    inventory = inventory_from_scan(scan) if scan is not None else None
    if inventory is None:
        prepared.refusal = (NO_INVENTORY, f"{order.server.name}: no successful scan on file")
        return prepared
    passphrases = {
        row.service: secret_decrypt(row.passphrase) for row in order.server.passphrases.all()
    }
    built = build_work_plan(
        [request for _, request in pairs],
        inventory,
        allow_reboot=run.allow_reboot,
        restart_services=_restart_policy(run.restart_services),
        passphrases_on_file=tuple(passphrases),
    )
    if isinstance(built, PlanRefusal):
        prepared.refusal = (built.code.value, "; ".join([built.message, *built.problems]))
        return prepared
    try:
        target = scan_target_for(order.server)
    except MissingCredentialsError:
        prepared.refusal = (NO_CREDENTIALS, f"{order.server.name}: no credentials on file")
        return prepared
    prepared.plan = built
    prepared.job = WorkJob(
        plan=built,
        target=target,
        window_ends_at=order.ends_at,
        passphrases=passphrases,
    )
    return prepared


def prepare_run_or_refuse(run: WorkRun) -> PreparedRun:
    """:func:`prepare_run`, with a defect (e.g. a secret that no key decrypts) ending only this
    run, as refused with nothing sent to the server."""
    try:
        return prepare_run(run)
    except Exception as exc:
        logger.exception("preparing work run=%s failed", run.pk)
        detail = f"preparing the run: {type(exc).__name__}"
        return PreparedRun.failed(run, str(WorkReason.INTERNAL_ERROR), detail)
