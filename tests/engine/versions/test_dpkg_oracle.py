"""dpkg versions against the real libdpkg 1.21 (``parseversion``, ``dpkg_version_compare``).

The oracle is a small C program compiled at test time against Debian's ``libdpkg-dev``; one
process answers each whole batch. Missing gcc or libdpkg fails these tests (``make test``
installs both).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.versions.support_data import (
    DPKG_ALPHABET,
    adversarial_dpkg,
    adversarial_pairs,
    debian_versions,
    near_pairs,
    random_pairs,
)
from engine.versions.support_oracles import (
    DpkgAnswer,
    build_dpkg_oracle,
    dpkg_compare_many,
    dpkg_parse_many,
)
from patchdesk.engine.versions import InvalidVersion, dpkg
from patchdesk_testing.plugin import require

pytestmark = pytest.mark.slow

WARNINGS = {
    "upstream-not-digit": "version number does not start with digit",
    "upstream-bad-character": "invalid character in version number",
    "revision-bad-character": "invalid character in revision number",
}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary, problem = build_dpkg_oracle(tmp_path_factory.mktemp("dpkg-oracle"))
    require("libdpkg (Debian packages dpkg, libdpkg-dev, gcc)", problem)
    assert binary is not None
    return binary


def ours(text: str) -> DpkgAnswer:
    try:
        version = dpkg.parse(text)
    except InvalidVersion as exc:
        return DpkgAnswer("error", exc.detail, 0, "", "")
    if version.warning is None:
        return DpkgAnswer("ok", "", version.epoch, version.upstream, version.revision)
    return DpkgAnswer(
        "warn", WARNINGS[version.warning], version.epoch, version.upstream, version.revision
    )


def compare_or_none(a: str, b: str) -> int | None:
    try:
        return dpkg.compare(a, b)
    except InvalidVersion:
        return None


def check_pairs(oracle: Path, pairs: list[tuple[str, str]]) -> int:
    """Assert every pair orders (or is refused) as libdpkg says; return the compared count."""
    expected = dpkg_compare_many(oracle, pairs)
    wrong = [
        (a, b, want, compare_or_none(a, b))
        for (a, b), want in zip(pairs, expected, strict=True)
        if compare_or_none(a, b) != want
    ]
    assert wrong[:10] == [], f"{len(wrong)} of {len(pairs)} pairs differ from libdpkg"
    return sum(want is not None for want in expected)


def test_the_oracle_is_the_real_libdpkg(oracle: Path) -> None:
    """Guard against a broken oracle agreeing with everything."""
    assert dpkg_compare_many(oracle, [("1.0~rc1", "1.0"), ("2", "1"), ("1.0", "1.00")]) == [
        -1,
        1,
        0,
    ]
    assert dpkg_parse_many(oracle, ["1:2.0-3"])[0] == DpkgAnswer("ok", "", 1, "2.0", "3")
    assert dpkg_parse_many(oracle, ["1.0-"])[0].status == "error"


def test_real_debian_versions_order_as_libdpkg(oracle: Path) -> None:
    versions = debian_versions()
    pairs = near_pairs(versions, 12_000, seed=1) + random_pairs(versions, 8_000, seed=2)
    assert check_pairs(oracle, pairs) >= 20_000


def test_real_debian_versions_parse_as_libdpkg(oracle: Path) -> None:
    versions = list(debian_versions())
    expected = dpkg_parse_many(oracle, versions)
    wrong = [(t, e, ours(t)) for t, e in zip(versions, expected, strict=True) if ours(t) != e]
    assert wrong[:10] == []


def test_adversarial_strings_are_refused_warned_and_split_as_libdpkg(oracle: Path) -> None:
    """Every error and warning message, and the (epoch, upstream, revision) split."""
    texts = adversarial_dpkg(30_000, seed=3)
    expected = dpkg_parse_many(oracle, texts)
    wrong = [(t, e, ours(t)) for t, e in zip(texts, expected, strict=True) if ours(t) != e]
    assert wrong[:10] == [], f"{len(wrong)} of {len(texts)} strings differ from libdpkg"
    statuses = {answer.status for answer in expected}
    assert statuses == {"ok", "warn", "error"}


def test_adversarial_pairs_order_as_libdpkg(oracle: Path) -> None:
    """Long digit runs, leading zeros, many ``~``, epochs, odd hyphens/colons, non-ASCII."""
    texts = adversarial_dpkg(40_000, seed=4)
    pairs = adversarial_pairs(texts, seed=5, alphabet=DPKG_ALPHABET)
    assert check_pairs(oracle, pairs) >= 20_000
