"""Who receives an announcement (R6): per OS release, every customer running it — also those
whose servers lack the package — and which of their servers are affected and acted on."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from patchdesk.engine.contracts.plans import Plan, plan_covers

__all__ = ["AnnouncementTarget", "Delivery", "ServerStanding", "announcement_audience"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerStanding:
    """A server as the announcement sees it on the advisory's confirmation day (R11)."""

    server_id: int
    customer_id: int
    platform_key: str
    # the plan covering what was confirmed that day (None: no contract in service today; the
    # server is no longer under the service and is not announced to)
    plan: Plan | None
    is_managed: bool = True
    is_in_service: bool = True  # False once the OS is past vendor end of support (R13)


class Delivery(enum.StrEnum):
    """How a customer learns of the advisory."""

    ANNOUNCE = "announce"  # mail and portal inbox: the level is covered for some server
    PORTAL_ONLY = "portal_only"  # shown as "not covered by your plan" (S2), no mail


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnouncementTarget:
    customer_id: int
    delivery: Delivery
    servers: tuple[int, ...]  # the customer's managed, in-service servers on the release
    affected: tuple[int, ...]  # of those, the ones with an affected package
    actionable: tuple[int, ...]  # affected and covered by their plan: work may be requested


def announcement_audience(
    *,
    level: str,
    platform_key: str,
    servers: Iterable[ServerStanding],
    affected_server_ids: Iterable[int] | Mapping[int, object],
) -> list[AnnouncementTarget]:
    """One target per customer with a managed, in-service server under contract on
    ``platform_key``.

    High is covered by every contract (Standard is included); Medium only by the Security
    Update Service. A customer whose servers on the release are not covered for ``level`` gets
    the advisory in the portal only, marked as not covered by the plan.
    """
    affected = set(affected_server_ids)
    by_customer: dict[int, list[ServerStanding]] = defaultdict(list)
    for server in servers:
        if (
            server.platform_key == platform_key
            and server.is_managed
            and server.is_in_service
            and server.plan is not None
        ):
            by_customer[server.customer_id].append(server)
    targets = []
    for customer_id in sorted(by_customer):
        standing = sorted(by_customer[customer_id], key=lambda s: s.server_id)
        covered = [s for s in standing if _covered(s, level)]
        targets.append(
            AnnouncementTarget(
                customer_id=customer_id,
                delivery=Delivery.ANNOUNCE if covered else Delivery.PORTAL_ONLY,
                servers=tuple(s.server_id for s in standing),
                affected=tuple(s.server_id for s in standing if s.server_id in affected),
                actionable=tuple(s.server_id for s in covered if s.server_id in affected),
            )
        )
    return targets


def _covered(server: ServerStanding, level: str) -> bool:
    return server.plan is not None and plan_covers(server.plan, level)
