"""rpm versions against the real rpm 4.18 (python3-rpm under the system interpreter).

``rpm.ver`` is ``rpmverParse``/``rpmverCmp`` (EVR strings); bare strings go to librpmio's
own ``rpmvercmp`` through ctypes. One helper process answers each whole batch. A missing
python3-rpm fails these tests (``make test`` installs it).
"""

from __future__ import annotations

import pytest

from engine.versions.support_data import (
    RPM_ALPHABET,
    adversarial_pairs,
    adversarial_rpm,
    almalinux_evrs,
    debian_versions,
    near_pairs,
    random_pairs,
)
from engine.versions.support_oracles import (
    RpmAnswer,
    rpm_oracle_problem,
    rpm_parse_many,
    rpm_request_many,
)
from patchdesk.engine.versions import InvalidVersion, rpm
from patchdesk_testing.plugin import require

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _python3_rpm() -> None:
    require("rpm (python3-rpm)", rpm_oracle_problem())


def ours(text: str) -> RpmAnswer:
    try:
        version = rpm.parse(text)
    except InvalidVersion:
        return RpmAnswer(ok=False, epoch=None, version="", release=None)
    return RpmAnswer(True, version.epoch, version.version, version.release)


def evr_or_none(a: str, b: str) -> int | None:
    try:
        return rpm.compare(a, b)
    except InvalidVersion:
        return None


def check(command: str, pairs: list[tuple[str, str]]) -> int:
    expected = rpm_request_many(command, pairs)
    mine = rpm.rpmvercmp if command == "S" else evr_or_none
    wrong = [
        (a, b, want, mine(a, b))
        for (a, b), want in zip(pairs, expected, strict=True)
        if mine(a, b) != want
    ]
    assert wrong[:10] == [], f"{len(wrong)} of {len(pairs)} pairs differ from rpm"
    return sum(want is not None for want in expected)


def test_the_oracle_is_the_real_rpm() -> None:
    assert rpm_request_many("S", [("1.0~rc1", "1.0"), ("1.0^", "1.0"), ("a", "1")]) == [-1, 1, -1]
    assert rpm_request_many("V", [("1.0", "1.0-1"), ("1:1", "2")]) == [-1, 1]
    assert rpm_parse_many(["1:2-3", ""]) == [
        RpmAnswer(True, "1", "2", "3"),
        RpmAnswer(False, None, "", None),
    ]


def test_real_almalinux_evrs_order_as_rpmvercmp_and_rpmvercmp_evr() -> None:
    evrs = almalinux_evrs()
    pairs = near_pairs(evrs, 12_000, seed=11) + random_pairs(evrs, 8_000, seed=12)
    assert check("V", pairs) >= 20_000


def test_real_versions_as_bare_strings_order_as_rpmvercmp() -> None:
    texts = almalinux_evrs() + debian_versions()
    pairs = near_pairs(tuple(sorted(texts)), 12_000, seed=13) + random_pairs(texts, 8_000, seed=14)
    assert check("S", pairs) == len(pairs) >= 20_000


def test_real_evrs_split_as_rpm() -> None:
    texts = list(almalinux_evrs())
    expected = rpm_parse_many(texts)
    assert [(t, e) for t, e in zip(texts, expected, strict=True) if ours(t) != e][:10] == []


def test_adversarial_evrs_split_as_rpm() -> None:
    texts = [text for text in adversarial_rpm(20_000, seed=15) if "\x00" not in text]
    expected = rpm_parse_many(texts)
    assert [(t, e, ours(t)) for t, e in zip(texts, expected, strict=True) if ours(t) != e][
        :10
    ] == []


def test_adversarial_pairs_order_as_rpm() -> None:
    """Many ``~`` and ``^``, long digit runs, leading zeros, separators, empty parts, non-ASCII."""
    texts = adversarial_rpm(20_000, seed=16)
    pairs = adversarial_pairs(texts, seed=17, alphabet=RPM_ALPHABET)
    assert check("V", pairs) >= 20_000
    assert check("S", pairs) == len(pairs)
