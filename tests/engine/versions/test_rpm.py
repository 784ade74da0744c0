"""rpm versions: rpm's own rpmvercmp.at vectors, EVR splitting, epochs and missing releases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from patchdesk.engine.versions import InvalidVersion, Reason, rpm

AT_FILE = Path(__file__).parent / "data" / "rpmvercmp.at"
CASE = re.compile(r"RPMVERCMP\((.*), (.*), (-?[01])\)$")


def vectors() -> list[tuple[str, str, int]]:
    cases = []
    for line in AT_FILE.read_text(encoding="utf-8").splitlines():
        match = CASE.search(line)
        if match and not line.startswith("m4_define"):
            cases.append((match.group(1), match.group(2), int(match.group(3))))
    return cases


def test_every_vector_of_the_file_is_read() -> None:
    assert len(vectors()) == 81  # 69 live cases and 12 documented "dnl" oddities


@pytest.mark.parametrize(("a", "b", "expected"), vectors())
def test_rpmvercmp_at_vectors(a: str, b: str, expected: int) -> None:
    """rpm's tests/rpmvercmp.at, the "dnl" oddities (non-ASCII equal, 1b < 1) included."""
    assert rpm.rpmvercmp(a, b) == expected
    assert rpm.rpmvercmp(b, a) == -expected


def test_tilde_and_caret() -> None:
    """rpmvercmp: "~" sorts before everything, even the end; "^" after the end, before a run."""
    ordered = ["1.0~~", "1.0~", "1.0~rc1", "1.0", "1.0^", "1.0^git1", "1.0a", "1.0.1"]
    ordered_keys = [rpm.vercmp_key(text) for text in ordered]
    assert ordered_keys == sorted(ordered_keys)
    assert rpm.rpmvercmp("1.0a", "1.0.1") == -1  # a digit run is newer than a letter run
    assert rpm.rpmvercmp("", "~") == 1
    assert rpm.rpmvercmp("", ".") == 0


@pytest.mark.parametrize(
    ("text", "epoch", "version", "release"),
    [
        ("1.0", None, "1.0", None),
        ("1:2.0-3.el9", "1", "2.0", "3.el9"),
        (":1", "0", "1", None),
        ("1:", "1", "", None),
        ("1.0-", None, "1.0", ""),
        ("-1", None, "", "1"),
        ("1:2:3-4-5", "1", "2:3-4", "5"),
        ("a:1.0", None, "a:1.0", None),
        ("1-2:3", None, "1", "2:3"),
    ],
)
def test_evr_is_split_like_parse_evr(
    text: str, epoch: str | None, version: str, release: str | None
) -> None:
    parsed = rpm.parse(text)
    assert (parsed.epoch, parsed.version, parsed.release) == (epoch, version, release)


def test_evr_order() -> None:
    """Missing epoch is 0; a missing release is older than any release (rpmverCmp)."""
    assert rpm.compare("1.0", "0:1.0") == 0
    assert rpm.compare("1:1.0", "2.0") == 1
    assert rpm.compare("1.0", "1.0-1") == -1
    assert rpm.compare("1.0", "1.0-~") == -1
    assert rpm.compare("1.0-", "1.0-~") == 1
    assert rpm.compare("0:1.2.3-4.el9", "1.2.3-4.el9_1") == -1
    assert rpm.compare("00:1", "0:1") == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", Reason.EMPTY), ("1\x00", Reason.NUL_CHARACTER), ("1\ud800", Reason.NOT_ENCODABLE)],
)
def test_refused_strings(text: str, reason: Reason) -> None:
    with pytest.raises(InvalidVersion) as caught:
        rpm.parse(text)
    assert caught.value.reason == reason
    if text:
        with pytest.raises(InvalidVersion):
            rpm.rpmvercmp(text, "1")


def test_long_digit_runs_and_leading_zeros() -> None:
    assert rpm.rpmvercmp("1" + "0" * 400, "9" * 399) == 1
    assert rpm.rpmvercmp("000000000000000000000001", "1") == 0
    assert rpm.rpmvercmp("10.0001", "10.1") == 0
