"""OS end-of-life dates -> :class:`EndOfLife` per platform key (``debian:12``, ``rhel:9`` ...).

Two sources:

* **endoflife.date** (``os_eol.csv``: ``product,…,release_cycle,…,release_date,eoas,eol,eoes,…``).
  ``security_support_ends_on`` is the ``eol`` column for every product: endoflife.date puts
  the end of the vendor's standard *security* support there (Debian Security Support, Ubuntu
  Maintenance & Security Support, RHEL Maintenance Support, AlmaLinux / Rocky / CentOS
  security support, Oracle Premier Support, SLES General Support of the service pack, Amazon
  Linux Security Support, Fedora, Alpine). ``eoas`` (end of *full/active* support: RHEL Full
  Support, Ubuntu hardware enablement) is earlier and not the end of security fixes, so it is
  not used. ``extended_support_ends_on`` is ``eoes`` (Debian LTS, Ubuntu ESM / Pro, RHEL ELS,
  Oracle Extended Support, SLES LTSS): paid or separately delivered, so the service policy
  decides whether it counts. A value ``true`` means "ended, no date" (flag
  ``security_support_ended``), ``false`` "not ended, no date" (None).
* **distro-info-data** (``debian.csv``: ``version,…,release,eol,eol-lts,eol-elts``;
  ``ubuntu.csv``: ``…,eol,eol-server,eol-esm,…``): security support ends at ``eol`` (Ubuntu:
  ``eol-server`` when given), extended support at ``eol-lts`` (Debian LTS; ELTS is commercial
  and not used) or ``eol-esm``.

Platform key = os-release ``ID`` + the release vendors publish advisories for (see
:func:`platform_key_for`). For Debian and Ubuntu the two sources disagree on some dates:
endoflife.date's Ubuntu dates differ from distro-info's by days to months (22.04: 2027-04-01
against 2027-06-01) and are the *desktop* end for old LTS releases (10.04: 2013-05-09; the
server edition was supported to 2015-04-30). Recommended order for
:func:`merge_end_of_life`: distro-info first (the distributions' own, day-exact, server
dates), then endoflife.date for every other product and for gaps.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Final, TypeAlias

from patchdesk.engine.feeds._enrichment_io import decode_text, parse_day, rejection
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model.vulnerability import EndOfLife

__all__ = [
    "DISTRO_INFO",
    "DISTRO_INFO_DIR",
    "ENDOFLIFE_DATE",
    "detect_distro_info",
    "merge_end_of_life",
    "parse_distro_info_csv",
    "parse_endoflife_csv",
    "platform_key_for",
    "read_end_of_life",
]

ENDOFLIFE_DATE: Final = "endoflife.date"
DISTRO_INFO: Final = "distro-info"
# Where Debian's and Ubuntu's distro-info-data package installs the tables on the desk's own
# host (kept current by the host's package updates): no download needed.
DISTRO_INFO_DIR: Final = Path("/usr/share/distro-info")

# endoflife.date product -> os-release ID (products whose ID depends on the release below).
_OS_RELEASE_ID: Final = {
    "debian": "debian",
    "ubuntu": "ubuntu",
    "rhel": "rhel",
    "almalinux": "almalinux",
    "rocky-linux": "rocky",
    "centos": "centos",
    # CentOS Stream's os-release says ID=centos too; the collector tells it by NAME.
    "centos-stream": "centos-stream",
    "oracle-linux": "ol",
    "amazon-linux": "amzn",
    "sles": "sles",
    "fedora": "fedora",
    "alpine-linux": "alpine",
}
_REQUIRED: Final = ("product", "release_cycle", "eol")


def _major(release: str) -> int:
    head = release.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def platform_key_for(product: str, release: str) -> str | None:
    """``("rocky-linux", "9")`` -> ``"rocky:9"``; None for a product without an os-release ID.

    Release forms follow os-release ``VERSION_ID`` as vendors publish advisories for it:
    the major for Debian and the RHEL family, ``22.04`` for Ubuntu, ``15.5`` for SLES service
    packs (a GA release ``15.0`` is ``15``), ``15.5`` for openSUSE Leap (``opensuse-leap``;
    13.x and Leap 42.x say ``opensuse``), ``3.20`` for Alpine, ``2023`` for Amazon Linux.
    SUSE Linux Micro is ``sl-micro`` from 6.0, ``sle-micro`` before.
    """
    product = product.strip().lower()
    release = release.strip()
    if not release:
        return None
    if product == "opensuse":
        distro = "opensuse-leap" if 15 <= _major(release) < 42 else "opensuse"
    elif product == "suse-linux-micro":
        distro = "sl-micro" if _major(release) >= 6 else "sle-micro"
    elif product == "sles" and release.endswith(".0") and _major(release) <= 15:
        distro, release = "sles", release.removesuffix(".0")
    elif product in _OS_RELEASE_ID:
        distro = _OS_RELEASE_ID[product]
    else:
        return None
    return f"{distro}:{release}"


def _day(row: Mapping[str, str | None], column: str) -> date | None:
    value = (row.get(column) or "").strip()
    if value.lower() in {"", "false", "true"}:
        return None
    return parse_day(value, field=column)


def _endoflife_row(row: Mapping[str, str | None]) -> EndOfLife:
    product = (row.get("product") or "").strip()
    release = (row.get("release_cycle") or "").strip()
    key = platform_key_for(product, release)
    if key is None:
        raise FieldError(f"no os-release ID known for product {product[:40]!r}")
    title = (row.get("product_title") or product).strip()
    codename = (row.get("codename") or "").strip()
    return EndOfLife(
        platform_key=key,
        name=f"{title} {release}" + (f" ({codename})" if codename else ""),
        released_on=_day(row, "release_date"),
        security_support_ends_on=_day(row, "eol"),
        extended_support_ends_on=_day(row, "eoes"),
        security_support_ended=(row.get("eol") or "").strip().lower() == "true",
        source=ENDOFLIFE_DATE,
    )


# A row parser returns None for a row that is no release (left out, not rejected).
_RowParser: TypeAlias = Callable[[Mapping[str, "str | None"]], "EndOfLife | None"]


def _parse_rows(
    data: bytes, *, source: str, required: Iterable[str], location: str, parse_row: _RowParser
) -> ParseResult[EndOfLife]:
    result: ParseResult[EndOfLife] = ParseResult()
    try:
        reader = csv.DictReader(decode_text(data))
        missing = [name for name in required if name not in (reader.fieldnames or ())]
        if missing:
            raise FieldError(f"no column {', '.join(missing)}")
        for row in reader:
            try:
                record = parse_row(row)
                if record is not None:
                    result.records.append(record)
            except FieldError as error:
                result.rejected.append(
                    rejection(source, f"line {reader.line_num}", error, location)
                )
    except (FieldError, csv.Error) as error:
        result.rejected.append(rejection(source, location or "file", error, location))
    return result


def parse_endoflife_csv(data: bytes, *, location: str = "") -> ParseResult[EndOfLife]:
    """endoflife.date's OS table (``os_eol.csv``); unknown products are rejected rows."""
    return _parse_rows(
        data, source=ENDOFLIFE_DATE, required=_REQUIRED, location=location, parse_row=_endoflife_row
    )


def parse_distro_info_csv(
    data: bytes, *, distro: str, location: str = ""
) -> ParseResult[EndOfLife]:
    """distro-info-data's ``debian.csv`` (``distro="debian"``) or ``ubuntu.csv``
    (``distro="ubuntu"``). The development suites (sid, experimental: no version and never
    released) are no releases and are left out; any other row without a version is rejected."""
    if distro not in {"debian", "ubuntu"}:
        raise ValueError(f"distro-info-data has no table for {distro!r}")
    extended = "eol-lts" if distro == "debian" else "eol-esm"

    def parse_row(row: Mapping[str, str | None]) -> EndOfLife | None:
        version = (row.get("version") or "").removesuffix(" LTS").strip()
        codename = (row.get("codename") or "").strip()
        if not version and not (row.get("release") or "").strip():
            return None  # a development suite (sid, experimental): not a release
        if not version:
            raise FieldError(f"{codename or 'a suite'} has no version")
        security = _day(row, "eol-server") or _day(row, "eol")
        return EndOfLife(
            platform_key=f"{distro}:{version}",
            name=f"{distro.capitalize()} {version}" + (f" ({codename})" if codename else ""),
            released_on=_day(row, "release"),
            security_support_ends_on=security,
            extended_support_ends_on=_day(row, extended),
            source=DISTRO_INFO,
        )

    return _parse_rows(
        data,
        source=DISTRO_INFO,
        required=("version", "codename", "eol"),
        location=location,
        parse_row=parse_row,
    )


def merge_end_of_life(*sources: Iterable[EndOfLife]) -> dict[str, EndOfLife]:
    """One entry per platform key: the first source's entry, its missing dates filled from
    later sources (whose names are then added to ``source``). Order = preference."""
    merged: dict[str, EndOfLife] = {}
    for entries in sources:
        for entry in entries:
            known = merged.get(entry.platform_key)
            if known is None:
                merged[entry.platform_key] = entry
                continue
            filled = {
                name: getattr(entry, name)
                for name in ("released_on", "security_support_ends_on", "extended_support_ends_on")
                if getattr(known, name) is None and getattr(entry, name) is not None
            }
            if filled:
                names = known.source.split(", ")
                source = ", ".join(dict.fromkeys([*names, entry.source]))
                merged[entry.platform_key] = replace(known, **filled, source=source)
    return merged


def detect_distro_info(data: bytes, *, name: str = "") -> str | None:
    """``"debian"`` or ``"ubuntu"`` when ``data`` is a distro-info-data table, else None.

    Told by the header (``version,codename,series,…``; Debian's has ``eol-lts`` / ``eol-elts``,
    Ubuntu's ``eol-server`` / ``eol-esm``), whatever the file is called
    (``distro-info-debian.csv`` in the starter snapshot, ``upload.csv`` from the console). The
    file name decides only when the header does not: ``debian.csv`` / ``ubuntu.csv``, or a name
    saying ``distro-info`` and the distribution.
    """
    try:
        header = next(csv.reader(decode_text(data)), [])
    except (FieldError, csv.Error):
        header = []  # unreadable: the parser reports it
    columns = {column.strip().lower() for column in header}
    if "product" in columns:
        return None  # endoflife.date's table
    if {"version", "codename", "series"} <= columns:
        if columns & {"eol-lts", "eol-elts"}:
            return "debian"
        if columns & {"eol-server", "eol-esm", "eol-legacy"}:
            return "ubuntu"
    stem = name.lower().removesuffix(".csv")
    if stem in {"debian", "ubuntu"}:
        return stem
    if "distro-info" in stem or "distro_info" in stem:
        for distro in ("debian", "ubuntu"):
            if distro in stem:
                return distro
    return None


def read_end_of_life(path: Path) -> ParseResult[EndOfLife]:
    """``os_eol.csv``, a distro-info-data table (``debian.csv`` / ``ubuntu.csv``, recognised
    by its header under any name), or a directory holding any of them (recursively, sorted)."""
    if path.is_dir():
        result: ParseResult[EndOfLife] = ParseResult()
        for file in sorted(path.rglob("*.csv")):
            result.extend(read_end_of_life(file))
        return result
    data = path.read_bytes()
    distro = detect_distro_info(data, name=path.name)
    if distro is not None:
        return parse_distro_info_csv(data, distro=distro, location=str(path))
    return parse_endoflife_csv(data, location=str(path))
