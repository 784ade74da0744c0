"""Announcements per OS release (R6), scenario S2 of the specification's walk-through."""

from __future__ import annotations

from patchdesk.engine.contracts.plans import Plan
from patchdesk.engine.workflow.audience import Delivery, ServerStanding, announcement_audience

SAKURA, KAEDE, MOMIJI = 1, 2, 3
FLEET = [
    ServerStanding(server_id=11, customer_id=SAKURA, platform_key="debian:12",
                   plan=Plan.SECURITY_UPDATE),  # web1
    ServerStanding(server_id=12, customer_id=SAKURA, platform_key="almalinux:9",
                   plan=Plan.SECURITY_UPDATE),  # db1
    ServerStanding(server_id=13, customer_id=SAKURA, platform_key="centos:7", plan=None,
                   is_in_service=False),  # legacy1
    ServerStanding(server_id=21, customer_id=KAEDE, platform_key="debian:12",
                   plan=Plan.STANDARD),  # app1
    ServerStanding(server_id=22, customer_id=KAEDE, platform_key="ubuntu:22.04",
                   plan=Plan.STANDARD),  # app2
    ServerStanding(server_id=31, customer_id=MOMIJI, platform_key="debian:12",
                   plan=Plan.SECURITY_UPDATE),  # mail1
]  # fmt: skip


def test_a_medium_fix_goes_to_security_update_customers_and_shows_as_not_covered() -> None:
    """S2: OpenSSL remote DoS on Debian 12; web1 has OpenSSL, mail1 does not."""
    targets = {
        t.customer_id: t
        for t in announcement_audience(
            level="medium", platform_key="debian:12", servers=FLEET, affected_server_ids=[11, 21]
        )
    }
    assert set(targets) == {SAKURA, KAEDE, MOMIJI}
    assert (targets[SAKURA].delivery, targets[SAKURA].affected, targets[SAKURA].actionable) == (
        Delivery.ANNOUNCE,
        (11,),
        (11,),
    )
    assert (targets[MOMIJI].delivery, targets[MOMIJI].affected) == (Delivery.ANNOUNCE, ())
    assert (targets[KAEDE].delivery, targets[KAEDE].actionable) == (Delivery.PORTAL_ONLY, ())
    assert targets[KAEDE].affected == (21,)


def test_a_high_fix_goes_to_every_customer_on_the_release() -> None:
    targets = announcement_audience(
        level="high", platform_key="debian:12", servers=FLEET, affected_server_ids=[21]
    )
    assert [(t.customer_id, t.delivery, t.actionable) for t in targets] == [
        (SAKURA, Delivery.ANNOUNCE, ()),
        (KAEDE, Delivery.ANNOUNCE, (21,)),
        (MOMIJI, Delivery.ANNOUNCE, ()),
    ]


def test_servers_past_end_of_support_or_unmanaged_are_not_announced_to() -> None:
    assert (
        announcement_audience(
            level="high", platform_key="centos:7", servers=FLEET, affected_server_ids=[13]
        )
        == []
    )
    unmanaged = [ServerStanding(server_id=1, customer_id=9, platform_key="debian:12",
                                plan=Plan.STANDARD, is_managed=False)]  # fmt: skip
    assert (
        announcement_audience(
            level="high", platform_key="debian:12", servers=unmanaged, affected_server_ids=[1]
        )
        == []
    )


def test_a_server_without_a_contract_in_service_is_not_announced_to() -> None:
    ended = ServerStanding(server_id=41, customer_id=4, platform_key="debian:12", plan=None)
    targets = announcement_audience(
        level="high", platform_key="debian:12", servers=[*FLEET, ended], affected_server_ids=[41]
    )
    assert 4 not in {t.customer_id for t in targets}
    assert all(41 not in t.servers for t in targets)
