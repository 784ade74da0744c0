"""Periodic jobs of the contracts app (declared in settings.PATCHDESK_PERIODIC_JOBS)."""

from __future__ import annotations

import logging

from django_tasks import task

from patchdesk.desk.contracts.services import contracts_advance_due, contracts_eos_warn_due

logger = logging.getLogger(__name__)

__all__ = ["contracts_advance", "contracts_eos_warn"]


@task()
def contracts_advance() -> dict[str, int]:
    """Activate contracts on their start date; end them after their last day of service."""
    counts = contracts_advance_due()
    logger.info("contracts advanced: %s", counts)
    return counts


@task()
def contracts_eos_warn() -> int:
    """Warn customers of the vendor's end of support, the configured days before."""
    return contracts_eos_warn_due()
