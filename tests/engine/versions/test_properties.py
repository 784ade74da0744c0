"""Property tests (hypothesis): every kind's order is total and its byte keys follow it exactly.

The keys are compared with the step-by-step algorithms of ``support_reference`` (ports of the
C code of dpkg, rpm and apk-tools), which the differential tests check against the real tools.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.versions.support_reference import (
    apk_compare,
    dpkg_compare,
    rpm_evr_compare,
    rpmvercmp,
)
from patchdesk.engine import versions
from patchdesk.engine.versions import InvalidVersion, apk, dpkg, rpm

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def dpkg_versions(draw: st.DrawFn) -> str:
    epoch = draw(st.none() | st.integers(0, 3) | st.integers(0, 2**31 - 1))
    upstream = draw(st.sampled_from("0123456789")) + draw(
        st.text(alphabet="0123456789abzAZ.+~-:é_", max_size=10)
    )
    revision = draw(st.text(alphabet="0123456789abZ.+~é", max_size=6))
    text = (
        (f"{epoch}:" if epoch is not None else "") + upstream + (f"-{revision}" if revision else "")
    )
    try:
        dpkg.parse(text)
    except InvalidVersion:
        assume(False)
    return text


RPM_TEXT = st.text(alphabet="0123456789abzAZ~^._+-:é ", max_size=14)
rpm_evrs = RPM_TEXT.filter(bool)


@st.composite
def apk_versions(draw: st.DrawFn) -> str:
    number = st.sampled_from(["0", "1", "2", "9", "10", "01", "007", "123456789012345678901"])
    text = draw(number) + "".join("." + draw(number) for _ in range(draw(st.integers(0, 3))))
    text += draw(st.sampled_from(["", "", "a", "z"]))
    for _ in range(draw(st.integers(0, 2))):
        text += "_" + draw(st.sampled_from(apk.SUFFIXES)) + draw(st.sampled_from(["", "1", "02"]))
    text += draw(st.sampled_from(["", "", "~ab", "~0f"]))
    return text + draw(st.sampled_from(["", "-r0", "-r1", "-r10"]))


def sign(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def dpkg_parts(text: str) -> tuple[int, str, str]:
    version = dpkg.parse(text)
    return version.epoch, version.upstream, version.revision


def rpm_parts(text: str) -> tuple[str | None, str, str | None]:
    version = rpm.parse(text)
    return version.epoch, version.version, version.release


@SETTINGS
@given(dpkg_versions(), dpkg_versions())
def test_dpkg_key_order_is_verrevcmp_order(a: str, b: str) -> None:
    """Policy §5.6.12: epochs numerically, then upstream and revision by verrevcmp: non-digit
    runs by character ("~" before everything, even the end; letters before non-letters), digit
    runs numerically."""
    expected = dpkg_compare(dpkg_parts(a), dpkg_parts(b))
    assert sign(dpkg.sort_key(a), dpkg.sort_key(b)) == expected
    assert versions.compare("dpkg", a, b) == expected


@SETTINGS
@given(RPM_TEXT, RPM_TEXT)
def test_rpm_vercmp_key_order_is_rpmvercmp_order(a: str, b: str) -> None:
    """rpmvercmp: alphanumeric runs left to right, "~" before everything, "^" after the end,
    digits newer than letters, numbers of any length, the longer string newer."""
    assert sign(rpm.vercmp_key(a), rpm.vercmp_key(b)) == rpmvercmp(a, b)
    assert rpm.rpmvercmp(a, b) == rpmvercmp(a, b)


@SETTINGS
@given(rpm_evrs, rpm_evrs)
def test_rpm_evr_key_order_is_rpmvercmp_evr_order(a: str, b: str) -> None:
    """rpmverCmp: epoch (missing = 0), version, release; a missing release is the oldest."""
    assert versions.compare("rpm", a, b) == rpm_evr_compare(rpm_parts(a), rpm_parts(b))


@SETTINGS
@given(apk_versions(), apk_versions())
def test_apk_key_order_is_apk_version_compare_order(a: str, b: str) -> None:
    """apk_version_compare: tokens left to right; different token kinds: a pre-release suffix
    is older than anything, otherwise the later kind in the grammar is older."""
    assert versions.compare("apk", a, b) == apk_compare(a, b)


KINDS = {"dpkg": dpkg_versions(), "rpm": rpm_evrs, "apk": apk_versions()}


@st.composite
def kind_and_three(draw: st.DrawFn) -> tuple[str, str, str, str]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    strategy = KINDS[kind]
    return kind, draw(strategy), draw(strategy), draw(strategy)


@SETTINGS
@given(kind_and_three())
def test_compare_is_a_total_order(case: tuple[str, str, str, str]) -> None:
    """Reflexive, antisymmetric, transitive and total; equal keys exactly for equal versions."""
    kind, a, b, c = case
    assert versions.compare(kind, a, a) == 0
    assert versions.compare(kind, a, b) == -versions.compare(kind, b, a)
    ordered = sorted([a, b, c], key=functools.cmp_to_key(lambda x, y: versions.compare(kind, x, y)))
    first, second, third = ordered
    assert versions.compare(kind, first, second) <= 0
    assert versions.compare(kind, second, third) <= 0
    assert versions.compare(kind, first, third) <= 0
    key_a, key_b = versions.sort_key(kind, a), versions.sort_key(kind, b)
    assert (key_a == key_b) == (versions.compare(kind, a, b) == 0)
    assert sign(key_a, key_b) == versions.compare(kind, a, b)
    assert (versions.parse(kind, a) == versions.parse(kind, b)) == (key_a == key_b)
