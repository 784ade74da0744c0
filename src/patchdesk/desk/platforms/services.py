"""Writing services for supported platforms: end-of-support dates (R5, R13) and their import."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.services.lifecycle import eos_warnings_reset
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.engine.collect.platform_detect import SUPPORTED_DISTROS
from patchdesk.engine.contracts import select_service_end
from patchdesk.engine.feeds.eol import (
    merge_end_of_life,
    parse_distro_info_csv,
    parse_endoflife_csv,
)
from patchdesk.engine.model import EndOfLife

__all__ = [
    "EolFormat",
    "EolImportReport",
    "platform_eol_import",
    "platform_eol_import_data",
    "platform_update",
]


def _check_operator(actor: User | None) -> None:
    if actor is not None and not actor.is_operator:
        raise PermissionDeniedError


def _support_dates_changed(platform: SupportedPlatform) -> None:
    """Contracts on the platform get a new end-of-support warning for the new date."""
    eos_warnings_reset(platform_id=platform.pk)


@transaction.atomic
def platform_update(
    platform: SupportedPlatform,
    *,
    vendor_support_ends_on: date | None,
    is_offered: bool,
    price_class: str,
    actor: User | None,
) -> SupportedPlatform:
    """An operator's correction of a platform's end of support, availability or price class."""
    _check_operator(actor)
    platform = SupportedPlatform.objects.select_for_update().get(pk=platform.pk)
    changes: dict[str, Any] = {}
    new = {
        "vendor_support_ends_on": vendor_support_ends_on,
        "is_offered": is_offered,
        "price_class": price_class,
    }
    for key, value in new.items():
        if getattr(platform, key) != value:
            before = getattr(platform, key)
            changes[key] = [
                before.isoformat() if isinstance(before, date) else before,
                value.isoformat() if isinstance(value, date) else value,
            ]
            setattr(platform, key, value)
    if not changes:
        return platform
    if "vendor_support_ends_on" in changes:
        platform.support_ends_source = "operator"
    platform.save()
    audit_record(actor=actor, action="platform.update", obj=platform, changes=changes)
    if "vendor_support_ends_on" in changes:
        _support_dates_changed(platform)
    return platform


@dataclass(slots=True)
class EolImportReport:
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # not in the list (and not added)
    rejected: list[str] = field(default_factory=list)  # rows the parser could not read


# Releases whose service ended longer ago than this are not added to the list.
ADD_ENDED_WITHIN = timedelta(days=10 * 366)


def _platform_add(record: EndOfLife, *, today: date) -> SupportedPlatform | None:
    """A new supported platform for a release the scanner can recognise, or None."""
    distro, _, release = record.platform_key.partition(":")
    known = SUPPORTED_DISTROS.get(distro)
    ends_on = select_service_end(record)
    if known is None or not release:
        return None
    if (ends_on is None and record.security_support_ended) or (
        ends_on is not None and ends_on < today - ADD_ENDED_WITHIN
    ):
        return None
    family, package_format, _release = known
    return SupportedPlatform.objects.create(
        key=record.platform_key,
        distro=distro,
        release=release,
        name=record.name[:100],
        family=family.value,
        package_format=package_format.value,
        vendor_support_ends_on=ends_on,
        support_ends_source=record.source[:200],
    )


@transaction.atomic
def platform_eol_import(
    records: Iterable[EndOfLife],
    *,
    source: str,
    actor: User | None,
    add_missing: bool = False,
    now: datetime | None = None,
) -> EolImportReport:
    """Set each known platform's end of support from end-of-life records.

    The service's end per vendor is chosen by ``engine.contracts.select_service_end`` (Debian:
    the end of LTS; others: the end of security support). Platforms the records do not know keep
    their date; records for platforms the service does not support are reported, not created.
    A date an operator entered by hand is replaced only if the record gives one. With
    ``add_missing``, releases the scanner recognises that are not in the list yet are added
    (except those whose service ended more than ten years ago).
    """
    _check_operator(actor)
    today = timezone.localdate(now or timezone.now())
    report = EolImportReport()
    platforms = {p.key: p for p in SupportedPlatform.objects.select_for_update()}
    for record in records:
        platform = platforms.get(record.platform_key)
        if platform is None:
            added = _platform_add(record, today=today) if add_missing else None
            if added is None:
                report.unknown.append(record.platform_key)
                continue
            platforms[added.key] = added
            audit_record(
                actor=actor,
                action="platform.add",
                obj=added,
                changes={
                    "key": added.key,
                    "vendor_support_ends_on": (
                        added.vendor_support_ends_on.isoformat()
                        if added.vendor_support_ends_on
                        else None
                    ),
                },
                actor_label="" if actor else "end-of-life import",
            )
            report.added.append(added.key)
            continue
        ends_on = select_service_end(record)
        changes: dict[str, Any] = {}
        if ends_on is not None and ends_on != platform.vendor_support_ends_on:
            before = platform.vendor_support_ends_on
            changes["vendor_support_ends_on"] = [
                before.isoformat() if before else None,
                ends_on.isoformat(),
            ]
            platform.vendor_support_ends_on = ends_on
        if ends_on is None and record.security_support_ended and platform.is_offered:
            changes["is_offered"] = [True, False]  # ended, date unknown: no new contracts
            platform.is_offered = False
        if not changes:
            report.unchanged.append(platform.key)
            continue
        platform.support_ends_source = (record.source or source)[:200]
        platform.save()
        audit_record(
            actor=actor,
            action="platform.eol_import",
            obj=platform,
            changes=changes,
            actor_label="" if actor else "end-of-life import",
        )
        if "vendor_support_ends_on" in changes:
            _support_dates_changed(platform)
        report.updated.append(platform.key)
    return report


class EolFormat(enum.StrEnum):
    ENDOFLIFE_DATE = "endoflife.date"
    DISTRO_INFO_DEBIAN = "distro-info-debian"
    DISTRO_INFO_UBUNTU = "distro-info-ubuntu"


def platform_eol_import_data(
    data: bytes,
    *,
    data_format: str,
    actor: User | None,
    add_missing: bool = False,
    now: datetime | None = None,
) -> EolImportReport:
    """Parse an end-of-life table (engine parser) and import it; unreadable rows are reported."""
    match EolFormat(data_format):
        case EolFormat.ENDOFLIFE_DATE:
            parsed = parse_endoflife_csv(data, location="upload")
        case EolFormat.DISTRO_INFO_DEBIAN:
            parsed = parse_distro_info_csv(data, distro="debian", location="upload")
        case EolFormat.DISTRO_INFO_UBUNTU:
            parsed = parse_distro_info_csv(data, distro="ubuntu", location="upload")
    merged = merge_end_of_life(parsed.records)
    report = platform_eol_import(
        merged.values(),
        source=str(data_format),
        actor=actor,
        add_missing=add_missing,
        now=now,
    )
    report.rejected = [f"{r.record_id}: {r.reason}" for r in parsed.rejected]
    return report
