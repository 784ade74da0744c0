"""Supported platforms: end-of-support dates from end-of-life records (R5, R13) and by hand."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.desk.platforms.services import (
    platform_eol_import,
    platform_eol_import_data,
    platform_update,
)
from patchdesk.engine.model import EndOfLife
from patchdesk_testing.contracts import Fleet, client_for, jst, page, platform_make, user_make
from patchdesk_testing.paths import shared_data

pytestmark = pytest.mark.django_db

# Records as the end-of-life parser returns them, dates from endoflife.date (shared data,
# commit a70eca3, 2026-08-22).
RECORDS = [
    EndOfLife(
        platform_key="debian:12",
        name="Debian 12",
        released_on=date(2023, 6, 10),
        security_support_ends_on=date(2026, 7, 11),
        extended_support_ends_on=date(2028, 6, 30),
        source="endoflife.date",
    ),
    EndOfLife(
        platform_key="ubuntu:22.04",
        name="Ubuntu 22.04",
        security_support_ends_on=date(2027, 4, 1),
        extended_support_ends_on=date(2032, 4, 9),
        source="endoflife.date",
    ),
    EndOfLife(
        platform_key="centos:7",
        name="CentOS 7",
        security_support_ends_on=date(2024, 6, 30),
        source="endoflife.date",
    ),
    EndOfLife(platform_key="fedora:40", name="Fedora 40", security_support_ended=True),
    EndOfLife(platform_key="almalinux:9", name="AlmaLinux 9", security_support_ended=True),
]


def test_import_sets_the_service_end_per_vendor(db: None) -> None:
    debian = platform_make("debian:12", vendor_support_ends_on=None)
    ubuntu = platform_make("ubuntu:22.04", vendor_support_ends_on=date(2030, 1, 1))
    platform_make("centos:7")
    alma = platform_make("almalinux:9", vendor_support_ends_on=None)
    report = platform_eol_import(RECORDS, source="endoflife.date", actor=user_make("ops-tanaka"))
    assert report.updated == ["debian:12", "ubuntu:22.04", "almalinux:9"]
    assert report.unchanged == ["centos:7"]
    assert report.unknown == ["fedora:40"]
    debian.refresh_from_db()
    ubuntu.refresh_from_db()
    alma.refresh_from_db()
    assert debian.vendor_support_ends_on == date(2028, 6, 30)  # Debian LTS
    assert ubuntu.vendor_support_ends_on == date(2027, 4, 1)  # not ESM
    assert debian.support_ends_source == "endoflife.date"
    assert (alma.vendor_support_ends_on, alma.is_offered) == (None, False)
    assert AuditEntry.objects.filter(action="platform.eol_import").count() == 3
    again = platform_eol_import(RECORDS, source="endoflife.date", actor=None)
    assert again.updated == []


def test_operators_correct_a_platform(fleet: Fleet) -> None:
    platform = SupportedPlatform.objects.get(key="debian:12")
    with pytest.raises(PermissionDeniedError):
        platform_update(
            platform,
            vendor_support_ends_on=None,
            is_offered=False,
            price_class="",
            actor=fleet.sakura_admin,
        )
    ops = client_for(user_make("ops-tanaka"), language="en")
    listing = page(ops.get("/console/platforms/"))
    assert "CentOS 7" in listing
    assert "June 30, 2024" in listing
    response = ops.post(
        f"/console/platforms/{platform.pk}/",
        {
            "vendor_support_ends_on": "2028-06-30",
            "is_offered": "on",
            "price_class": "standard-linux",
        },
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert (platform.price_class, platform.support_ends_source) == ("standard-linux", "")
    response = ops.post(
        f"/console/platforms/{platform.pk}/", {"vendor_support_ends_on": "tomorrow"}
    )
    assert "Enter a valid date." in page(response)
    assert client_for(fleet.sakura_admin).get("/console/platforms/").status_code == 403


SHARED_DATA = shared_data()


def test_import_of_the_real_endoflife_table(db: None) -> None:
    """All 235 rows of endoflife.date's OS table (2026-08-22), parsed by engine.feeds.eol."""
    platform_make("debian:12", vendor_support_ends_on=None)
    data = (SHARED_DATA / "endoflife" / "os_eol.csv").read_bytes()
    report = platform_eol_import_data(
        data,
        data_format="endoflife.date",
        actor=user_make("ops-tanaka"),
        add_missing=True,
        now=jst(2027, 1, 8, 11, 0),
    )
    assert report.updated == ["debian:12"]
    assert report.rejected == []
    ends = dict(SupportedPlatform.objects.values_list("key", "vendor_support_ends_on"))
    assert ends["debian:12"] == date(2028, 6, 30)
    assert ends["centos:7"] == date(2024, 6, 30)  # S1's legacy1
    assert ends["ubuntu:22.04"] == date(2027, 4, 1)
    assert ends["almalinux:9"] == date(2032, 5, 31)
    assert "debian:6" not in ends  # ended more than ten years before
    assert "fedora:40" not in ends  # not a distribution the scanner manages
    centos = SupportedPlatform.objects.get(key="centos:7")
    assert (centos.family, centos.package_format) == ("redhat", "rpm")


DISTRO_INFO_DEBIAN = b"""version,codename,series,created,release,eol,eol-lts,eol-elts
11,Bullseye,bullseye,2019-07-06,2021-08-14,2024-08-14,2026-08-31,2031-06-30
12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-06-10,2028-06-30,2033-06-30
,Sid,sid,1993-08-16
"""


def test_console_import_page(fleet: Fleet) -> None:
    ops = client_for(user_make("ops-tanaka"), language="en")
    assert "Import end-of-life dates" in page(ops.get("/console/platforms/"))
    upload = SimpleUploadedFile("debian.csv", DISTRO_INFO_DEBIAN, content_type="text/csv")
    response = ops.post(
        "/console/platforms/import/",
        {"table_file": upload, "data_format": "distro-info-debian", "add_missing": "on"},
    )
    html = page(response)
    assert response.status_code == 200
    assert "debian:11" in html  # added
    # sid (the development suite: no version, never released) is left out, not rejected
    assert "has no version" not in html
    assert not SupportedPlatform.objects.filter(key__in=["debian:", "debian:sid"]).exists()
    assert SupportedPlatform.objects.get(key="debian:11").vendor_support_ends_on == date(
        2026, 8, 31
    )
    missing = ops.post("/console/platforms/import/", {"data_format": "endoflife.date"})
    assert "This field is required." in page(missing)
    assert client_for(fleet.sakura_admin).get("/console/platforms/import/").status_code == 403
