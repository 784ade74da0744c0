"""The public API: compare/sort_key/parse, version objects, errors, and keys in databases."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import pickle
import sqlite3

import pytest

from engine.versions.support_data import almalinux_evrs, debian_versions
from patchdesk.engine import versions
from patchdesk.engine.versions import (
    ApkVersion,
    DpkgVersion,
    InvalidVersion,
    PackageFormat,
    Reason,
    RpmVersion,
)
from patchdesk.engine.versions.rpm import rpmvercmp
from patchdesk_testing.plugin import POSTGRES_URL, postgres_problem, require

SAMPLES = {
    "dpkg": ["1:2.36-9+deb12u3", "2.36-9+deb12u10", "2.36~rc1-1", "1.0", "1.00", "0:1.0-0"],
    "rpm": ["1.2.3-4.el9", "0:1.2.3-4.el9_1", "1.2.3~rc1-1", "1:0.1-1", "1.2.3", "1.2.3^git1-1"],
    "apk": ["1.2.3-r0", "1.2.3_rc1-r0", "1.2.3_p1", "1.2.3a", "1.2.4", "01.2.3-r0"],
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_compare_sort_key_and_parse_agree(kind: str) -> None:
    texts = SAMPLES[kind]
    parsed = [versions.parse(kind, text) for text in texts]
    for a, pa in zip(texts, parsed, strict=True):
        for b, pb in zip(texts, parsed, strict=True):
            result = versions.compare(kind, a, b)
            assert result in (-1, 0, 1)
            assert versions.compare(kind, pa, pb) == versions.compare(kind, a, pb) == result
            key_a, key_b = versions.sort_key(kind, a), versions.sort_key(kind, pb)
            assert ((key_a > key_b) - (key_a < key_b)) == result
            assert (pa < pb) == (result < 0)
            assert (pa == pb) == (result == 0)
    by_key = sorted(texts, key=lambda text: versions.sort_key(kind, text))
    by_cmp = sorted(texts, key=functools.cmp_to_key(lambda a, b: versions.compare(kind, a, b)))
    assert by_key == by_cmp


def test_the_documented_examples() -> None:
    assert versions.compare("dpkg", "1.0~rc1-1", "1.0-1") == -1
    assert versions.compare(PackageFormat.RPM, "1.2-3.el9", "1.2-3.el9_1") == -1
    assert rpmvercmp("1.0^", "1.0") == 1
    assert versions.compare("apk", "1.0_rc1", "1.0") == -1


def test_version_objects_are_immutable_hashable_values() -> None:
    version = versions.parse("dpkg", "1:2.0-3")
    assert isinstance(version, DpkgVersion)
    assert (version.epoch, version.upstream, version.revision, str(version)) == (
        1,
        "2.0",
        "3",
        "1:2.0-3",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        version.epoch = 2  # type: ignore[misc]
    assert {version, versions.parse("dpkg", "1:2.00-3")} == {version}
    assert pickle.loads(pickle.dumps(version)) == version
    assert isinstance(versions.parse("rpm", "1-2"), RpmVersion)
    assert isinstance(versions.parse("apk", "1-r2"), ApkVersion)


def test_different_kinds_never_order_against_each_other() -> None:
    deb, rpm = versions.parse("dpkg", "1.0-1"), versions.parse("rpm", "1.0-1")
    assert deb != rpm
    with pytest.raises(TypeError):
        _ = deb < rpm
    with pytest.raises(TypeError):
        _ = rpm >= deb
    with pytest.raises(TypeError):
        versions.compare("rpm", deb, "1.0")
    with pytest.raises(TypeError):
        versions.sort_key("apk", rpm)
    with pytest.raises(TypeError):
        _ = deb < "1.0"


@pytest.mark.parametrize("bad", [None, 1, 1.0, b"1.0", ["1.0"]])
def test_non_strings_are_type_errors(bad: object) -> None:
    for kind in SAMPLES:
        with pytest.raises(TypeError):
            versions.compare(kind, bad, "1")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            versions.parse(kind, bad)  # type: ignore[arg-type]


def test_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown version kind 'deb'"):
        versions.compare("deb", "1", "2")
    with pytest.raises(TypeError):
        versions.sort_key(None, "1")  # type: ignore[arg-type]


def test_invalid_version_says_why_and_never_returns_a_guess() -> None:
    with pytest.raises(InvalidVersion) as caught:
        versions.compare("dpkg", "1.0", "1.0 beta")
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.kind, error.text, error.reason) == ("dpkg", "1.0 beta", Reason.EMBEDDED_SPACES)
    assert str(error) == "invalid dpkg version '1.0 beta': version string has embedded spaces"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.text, copy.reason, copy.detail) == (
        error.kind,
        error.text,
        error.reason,
        error.detail,
    )


def test_bisect_on_keys_finds_the_affected_range() -> None:
    """Installed versions below the fixed version are vulnerable: a bisect on sorted keys."""
    installed = sorted(debian_versions()[:2000], key=lambda v: versions.sort_key("dpkg", v))
    keys = [versions.sort_key("dpkg", v) for v in installed]
    fixed = installed[1000]
    cut = bisect.bisect_left(keys, versions.sort_key("dpkg", fixed))
    assert all(versions.compare("dpkg", v, fixed) < 0 for v in installed[:cut])
    assert all(versions.compare("dpkg", v, fixed) >= 0 for v in installed[cut:])


def range_rows(kind: str, texts: tuple[str, ...], low: str, high: str) -> set[str]:
    return {
        text
        for text in texts
        if versions.compare(kind, low, text) <= 0 and versions.compare(kind, text, high) < 0
    }


def test_sqlite_indexes_keys_and_answers_range_queries() -> None:
    texts = almalinux_evrs()[:3000]
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE v (text TEXT, key BLOB)")
        db.execute("CREATE INDEX v_key ON v (key)")
        db.executemany(
            "INSERT INTO v VALUES (?, ?)", [(t, versions.sort_key("rpm", t)) for t in texts]
        )
        low, high = texts[100], texts[2500]
        rows = db.execute(
            "SELECT text FROM v WHERE key >= ? AND key < ? ORDER BY key",
            (versions.sort_key("rpm", low), versions.sort_key("rpm", high)),
        ).fetchall()
        plan = db.execute("EXPLAIN QUERY PLAN SELECT text FROM v WHERE key >= ?", (b"",)).fetchall()
    assert {row[0] for row in rows} == range_rows("rpm", texts, low, high)
    assert "v_key" in str(plan)


@pytest.mark.postgres
def test_postgresql_bytea_orders_keys_like_compare() -> None:
    require("PostgreSQL", postgres_problem())
    import psycopg

    texts = debian_versions()[::20]
    with psycopg.connect(POSTGRES_URL) as connection:
        connection.execute("CREATE TEMPORARY TABLE v (text TEXT, key BYTEA)")
        connection.execute("CREATE INDEX ON v (key)")
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO v VALUES (%s, %s)", [(t, versions.sort_key("dpkg", t)) for t in texts]
            )
        low, high = texts[10], texts[900]
        rows = connection.execute(
            "SELECT text FROM v WHERE key >= %s AND key < %s",
            (versions.sort_key("dpkg", low), versions.sort_key("dpkg", high)),
        ).fetchall()
        ordered = [row[0] for row in connection.execute("SELECT text FROM v ORDER BY key")]
    assert {row[0] for row in rows} == range_rows("dpkg", texts, low, high)
    by_cmp = sorted(texts, key=functools.cmp_to_key(lambda a, b: versions.compare("dpkg", a, b)))
    assert [versions.sort_key("dpkg", t) for t in ordered] == [
        versions.sort_key("dpkg", t) for t in by_cmp
    ]


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_the_fast_key_path_equals_the_full_parser(kind: str) -> None:
    """sort_key takes a shortcut for common strings; parse() always runs the full parser."""
    from engine.versions.support_data import adversarial_dpkg, adversarial_rpm, apk_versions

    texts = {
        "dpkg": [*debian_versions(), *adversarial_dpkg(5_000, seed=31)],
        "rpm": [*almalinux_evrs(), *adversarial_rpm(5_000, seed=32)],
        "apk": apk_versions(5_000, seed=33),
    }[kind]
    checked = 0
    for text in texts:
        try:
            parsed = versions.parse(kind, text)
        except InvalidVersion:
            with pytest.raises(InvalidVersion):
                versions.sort_key(kind, text)
            continue
        assert versions.sort_key(kind, text) == parsed.key
        checked += 1
    assert checked > 1000
