"""OS end-of-life dates: endoflife.date's OS table and Debian's distro-info-data."""

from __future__ import annotations

import lzma
from datetime import date
from pathlib import Path

import pytest

from patchdesk.engine.feeds.eol import (
    detect_distro_info,
    merge_end_of_life,
    parse_distro_info_csv,
    parse_endoflife_csv,
    platform_key_for,
    read_end_of_life,
)
from patchdesk.engine.model.vulnerability import EndOfLife
from patchdesk_testing.paths import shared_data

EOL = shared_data() / "endoflife"
HEADER = (
    "product,product_title,release_cycle,codename,release_label,release_date,eoas,eol,eoes,lts\n"
)


@pytest.fixture(scope="module")
def table() -> dict[str, EndOfLife]:
    result = read_end_of_life(EOL / "os_eol.csv")
    assert result.rejected == []
    assert len(result.records) == 235
    entries = {entry.platform_key: entry for entry in result.records}
    assert len(entries) == 235  # one key per release
    return entries


@pytest.fixture(scope="module")
def distro_info() -> dict[str, EndOfLife]:
    result = read_end_of_life(EOL / "distro-info-data")
    # sid and experimental (no version, never released) are development suites, not releases:
    # left out without a rejection, so a complete table imports with none.
    assert result.rejected == []
    assert not [e for e in result.records if e.platform_key in {"debian:", "debian:sid"}]
    return {entry.platform_key: entry for entry in result.records}


def test_debian_12(table: dict[str, EndOfLife], distro_info: dict[str, EndOfLife]) -> None:
    assert table["debian:12"] == EndOfLife(
        platform_key="debian:12",
        name="Debian 12 (Bookworm)",
        released_on=date(2023, 6, 10),
        security_support_ends_on=date(2026, 7, 11),
        extended_support_ends_on=date(2028, 6, 30),  # Debian LTS
        source="endoflife.date",
    )
    own = distro_info["debian:12"]
    assert (own.released_on, own.security_support_ends_on, own.extended_support_ends_on) == (
        date(2023, 6, 10),
        date(2026, 7, 11),
        date(2028, 6, 30),
    )


def test_ubuntu_22_04(table: dict[str, EndOfLife], distro_info: dict[str, EndOfLife]) -> None:
    jammy = table["ubuntu:22.04"]
    assert jammy.name == "Ubuntu 22.04 (Jammy Jellyfish)"
    assert jammy.security_support_ends_on == date(2027, 4, 1)  # not eoas 2024-09-30
    assert jammy.extended_support_ends_on == date(2032, 4, 9)  # ESM
    own = distro_info["ubuntu:22.04"]
    assert own.security_support_ends_on == date(2027, 6, 1)
    assert own.extended_support_ends_on == date(2032, 4, 21)
    # Old LTS: endoflife.date has the desktop end, distro-info the server end.
    assert table["ubuntu:10.04"].security_support_ends_on == date(2013, 5, 9)
    assert distro_info["ubuntu:10.04"].security_support_ends_on == date(2015, 4, 30)


def test_rhel_family(table: dict[str, EndOfLife]) -> None:
    alma = table["almalinux:9"]
    assert (alma.released_on, alma.security_support_ends_on, alma.extended_support_ends_on) == (
        date(2022, 5, 26),
        date(2032, 5, 31),
        None,
    )
    centos = table["centos:7"]
    assert centos.security_support_ends_on == date(2024, 6, 30)  # vendor support ended
    assert centos.is_security_supported_on(date(2024, 6, 30))
    assert not centos.is_security_supported_on(date(2024, 7, 1))
    assert table["rhel:9"].security_support_ends_on == date(2032, 5, 31)  # not Full Support
    assert table["rhel:9"].extended_support_ends_on == date(2036, 5, 31)
    assert table["rocky:9"].security_support_ends_on == date(2032, 5, 31)
    assert table["ol:9"].security_support_ends_on == date(2032, 6, 30)
    assert table["centos-stream:9"].security_support_ends_on == date(2027, 5, 31)
    # "false": not ended, no date announced.
    assert table["ol:10"].security_support_ends_on is None
    assert table["ol:10"].is_security_supported_on(date(2030, 1, 1))


def test_other_products_keys(table: dict[str, EndOfLife]) -> None:
    assert table["amzn:2023"].security_support_ends_on == date(2029, 6, 30)
    assert table["amzn:2"].security_support_ends_on == date(2026, 6, 30)
    assert table["sles:15.5"].security_support_ends_on == date(2024, 12, 31)
    assert table["sles:15.5"].extended_support_ends_on == date(2027, 12, 31)  # LTSS
    assert "sles:15" in table  # SLES 15 GA: os-release VERSION_ID="15"
    assert table["opensuse-leap:15.5"].security_support_ends_on == date(2024, 12, 31)
    assert "opensuse:42.3" in table
    assert "alpine:3.20" in table
    assert "fedora:41" in table
    assert "sl-micro:6.1" in table
    assert "sle-micro:5.5" in table


@pytest.mark.parametrize(
    ("product", "release", "key"),
    [
        ("debian", "12", "debian:12"),
        ("rocky-linux", "9", "rocky:9"),
        ("oracle-linux", "8", "ol:8"),
        ("amazon-linux", "2018.03", "amzn:2018.03"),
        ("sles", "12.0", "sles:12"),
        ("sles", "16.0", "sles:16.0"),
        ("opensuse", "16.0", "opensuse-leap:16.0"),
        ("windows", "11", None),
        ("debian", "", None),
    ],
)
def test_platform_keys(product: str, release: str, key: str | None) -> None:
    assert platform_key_for(product, release) == key


def test_merge_prefers_the_first_source_and_fills_gaps(
    table: dict[str, EndOfLife], distro_info: dict[str, EndOfLife]
) -> None:
    merged = merge_end_of_life(distro_info.values(), table.values())
    assert merged["ubuntu:22.04"] == distro_info["ubuntu:22.04"]
    assert merged["almalinux:9"] == table["almalinux:9"]
    assert merged["debian:14"].released_on is None  # announced, no dates anywhere yet
    # Debian 3.1: distro-info has no LTS date, endoflife.date fills it in.
    sarge = merged["debian:3.1"]
    assert sarge.extended_support_ends_on == date(2008, 3, 31)
    assert sarge.source == "distro-info, endoflife.date"
    assert len(merged) == len(table.keys() | distro_info.keys())


def test_parsing_twice_gives_equal_results() -> None:
    data = (EOL / "os_eol.csv").read_bytes()
    assert parse_endoflife_csv(data) == parse_endoflife_csv(data)


def test_true_means_ended_without_a_date() -> None:
    row = "centos,CentOS,4,,,2005-03-09,true,true,false,\n"
    entry = parse_endoflife_csv((HEADER + row).encode()).records[0]
    assert entry.security_support_ends_on is None
    assert entry.security_support_ended
    assert not entry.is_security_supported_on(date(2000, 1, 1))


def test_malformed_rows_and_files() -> None:
    rows = (
        "debian,Debian,13,Trixie,,2025-08-09,,2028-08-09,2030-06-30,\n"
        "windows,Windows,11,,,2021-10-05,,2031-10-14,,\n"
        "debian,Debian,12,Bookworm,,2023-06-10,,June 2026,,\n"
        "ubuntu,Ubuntu,,,,,,,,\n"
    )
    result = parse_endoflife_csv((HEADER + rows).encode(), location="os_eol.csv")
    assert [entry.platform_key for entry in result.records] == ["debian:13"]
    assert [(r.record_id, r.reason) for r in result.rejected] == [
        ("line 3", "no os-release ID known for product 'windows'"),
        ("line 4", "'eol' is not a date: 'June 2026'"),
        ("line 5", "no os-release ID known for product 'ubuntu'"),
    ]
    assert all(r.location == "os_eol.csv" for r in result.rejected)
    wrong = parse_endoflife_csv(b"name,date\nx,y\n", location="x.csv")
    assert wrong.records == []
    assert wrong.rejected[0].reason == "no column product, release_cycle, eol"
    bad_info = parse_distro_info_csv(
        b"version,codename,series,created,release,eol\n12,Bookworm,bookworm,2021-08-14,2023-13-10,\n",
        distro="debian",
    )
    assert bad_info.rejected[0].reason == "'release' is not a date: '2023-13-10'"
    released_without_version = parse_distro_info_csv(
        b"version,codename,series,created,release,eol\n,Bookworm,bookworm,2021-08-14,2023-06-10,\n",
        distro="debian",
    )
    assert released_without_version.records == []
    assert released_without_version.rejected[0].reason == "Bookworm has no version"
    with pytest.raises(ValueError, match="no table for 'fedora'"):
        parse_distro_info_csv(b"", distro="fedora")


@pytest.mark.parametrize("distro", ["debian", "ubuntu"])
@pytest.mark.parametrize(
    "name", ["{distro}.csv", "distro-info-{distro}.csv", "upload.csv", "{distro}.csv.xz"]
)
def test_distro_info_is_told_by_its_header_under_any_name(
    tmp_path: Path, distro: str, name: str
) -> None:
    """The starter snapshot ships ``distro-info-debian.csv``; the console saves ``upload.csv``."""
    data = (EOL / "distro-info-data" / f"{distro}.csv").read_bytes()
    if name.endswith(".xz"):
        data = lzma.compress(data)
    path = tmp_path / name.format(distro=distro)
    path.write_bytes(data)
    assert detect_distro_info(data, name=path.name) == distro
    result = read_end_of_life(path)
    assert result.rejected == []
    keys = {entry.platform_key for entry in result.records}
    assert {"debian": "debian:12", "ubuntu": "ubuntu:22.04"}[distro] in keys
    assert all(entry.source == "distro-info" for entry in result.records)


def test_the_name_decides_only_when_the_header_does_not() -> None:
    endoflife = (EOL / "os_eol.csv").read_bytes()
    assert detect_distro_info(endoflife, name="debian.csv") is None  # the header says product
    headless = b"version,codename,series,created,release,eol\n"
    assert detect_distro_info(headless, name="distro-info-ubuntu.csv") == "ubuntu"
    assert detect_distro_info(headless, name="debian.csv") == "debian"
    assert detect_distro_info(headless, name="eol.csv") is None
    assert detect_distro_info(b"", name="ubuntu.csv") == "ubuntu"
    assert detect_distro_info(b"\xff\xfe", name="eol.csv") is None
