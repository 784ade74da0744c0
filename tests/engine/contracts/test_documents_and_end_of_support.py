"""Documents in force (R15) and which vendor date ends the service (R13)."""

from __future__ import annotations

from datetime import date

import pytest

from patchdesk.engine.contracts import (
    DocumentKind,
    DocumentVersion,
    NoDocumentInForce,
    document_in_force,
    has_service_ended,
    select_service_end,
)
from patchdesk.engine.model import EndOfLife

VERSIONS = [
    DocumentVersion(
        kind=DocumentKind.SPECIFICATION, version="1.0", effective_on=date(2014, 11, 17)
    ),
    DocumentVersion(kind=DocumentKind.SPECIFICATION, version="1.1", effective_on=date(2027, 4, 1)),
    DocumentVersion(kind=DocumentKind.TERMS, version="3", effective_on=date(2020, 1, 1)),
]


@pytest.mark.parametrize(
    ("on", "version"),
    [(date(2027, 3, 31), "1.0"), (date(2027, 4, 1), "1.1"), (date(2030, 1, 1), "1.1")],
)
def test_the_latest_effective_version_is_in_force(on: date, version: str) -> None:
    found = document_in_force(VERSIONS, kind=DocumentKind.SPECIFICATION, on=on)
    assert found.version == version


def test_no_document_in_force_before_the_first_version() -> None:
    with pytest.raises(NoDocumentInForce):
        document_in_force(VERSIONS, kind=DocumentKind.TERMS, on=date(2019, 12, 31))


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        # Real dates from endoflife.date (shared data, 2026-08-22).
        (
            EndOfLife(
                platform_key="debian:12",
                name="Debian 12",
                security_support_ends_on=date(2026, 7, 11),
                extended_support_ends_on=date(2028, 6, 30),
            ),
            date(2028, 6, 30),  # Debian LTS is in the free security archive
        ),
        (
            EndOfLife(
                platform_key="ubuntu:22.04",
                name="Ubuntu 22.04",
                security_support_ends_on=date(2027, 4, 1),
                extended_support_ends_on=date(2032, 4, 9),
            ),
            date(2027, 4, 1),  # ESM needs an Ubuntu Pro subscription
        ),
        (
            EndOfLife(
                platform_key="centos:7",
                name="CentOS 7",
                security_support_ends_on=date(2024, 6, 30),
            ),
            date(2024, 6, 30),
        ),
        (
            EndOfLife(
                platform_key="debian:13",
                name="Debian 13",
                security_support_ends_on=date(2028, 8, 9),
            ),
            date(2028, 8, 9),
        ),
        (EndOfLife(platform_key="almalinux:9", name="AlmaLinux 9"), None),
    ],
)
def test_service_end_per_vendor(record: EndOfLife, expected: date | None) -> None:
    assert select_service_end(record) == expected


def test_support_ended_without_a_date() -> None:
    record = EndOfLife(platform_key="fedora:30", name="Fedora 30", security_support_ended=True)
    assert select_service_end(record) is None
    assert has_service_ended(record, today=date(2027, 1, 8))
    unknown = EndOfLife(platform_key="almalinux:9", name="AlmaLinux 9")
    assert not has_service_ended(unknown, today=date(2027, 1, 8))
    debian = EndOfLife(
        platform_key="debian:12",
        name="Debian 12",
        security_support_ends_on=date(2026, 7, 11),
        extended_support_ends_on=date(2028, 6, 30),
    )
    assert not has_service_ended(debian, today=date(2027, 1, 8))
    assert has_service_ended(debian, today=date(2028, 7, 1))
