"""apk versions: apk-tools' own test/version.data, validation, and a differential test.

No apk-tools package exists for Debian 12, so the differential test uses a step-by-step port
of apk-tools' ``version.c`` token walk (``support_reference``) instead of the real tool.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.versions.support_data import APK_ALPHABET, adversarial_pairs, apk_versions
from engine.versions.support_reference import apk_compare, apk_valid
from patchdesk.engine.versions import InvalidVersion, Reason, apk

DATA = Path(__file__).parent / "data" / "apk_version.data"
OPS = {"<": -1, "=": 0, ">": 1}
INVALID_IN_DATA = {"23_foo": Reason.APK_UNKNOWN_SUFFIX, "1.0bc": Reason.APK_MISPLACED}


def vectors() -> list[tuple[str, str, int]]:
    cases = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            cases.append((fields[0], fields[2], OPS[fields[1]]))
    return cases


def test_every_vector_is_read() -> None:
    assert len(vectors()) == 733


@pytest.mark.parametrize(("a", "b", "expected"), vectors())
def test_apk_tools_version_data(a: str, b: str, expected: int) -> None:
    invalid = [text for text in (a, b) if text in INVALID_IN_DATA]
    if invalid:
        with pytest.raises(InvalidVersion) as caught:
            apk.compare(a, b)
        assert caught.value.reason == INVALID_IN_DATA[invalid[0]]
        return
    assert apk.compare(a, b) == expected
    assert apk.compare(b, a) == -expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", Reason.APK_NO_LEADING_DIGIT),
        ("v1.0", Reason.APK_NO_LEADING_DIGIT),
        ("1.", Reason.APK_MISSING_NUMBER),
        ("1-r", Reason.APK_MISSING_NUMBER),
        ("1~", Reason.APK_MISSING_HASH),
        ("1_foo", Reason.APK_UNKNOWN_SUFFIX),
        ("1a2", Reason.APK_MISPLACED),
        ("1-1", Reason.APK_MISPLACED),
        ("1-r1-r2", Reason.APK_MISPLACED),
        ("1.0A", Reason.APK_BAD_CHARACTER),
        ("1.0 ", Reason.APK_BAD_CHARACTER),
        ("1\x00", Reason.NUL_CHARACTER),
    ],
)
def test_invalid_versions_are_refused_with_the_reason(text: str, reason: Reason) -> None:
    with pytest.raises(InvalidVersion) as caught:
        apk.parse(text)
    assert caught.value.reason == reason


def test_numbers_wrap_like_apk_uint64() -> None:
    """apk reads numbers into an unchecked uint64_t; 2**64 + 1 equals 1, as in apk."""
    assert apk.compare("18446744073709551617", "1") == 0
    assert apk.compare("1.01", "1.1") == -1  # a leading zero compares as a string
    assert apk.compare("01.1", "1.1") == 0  # but not in the first number


def test_validation_agrees_with_the_apk_tools_algorithm() -> None:
    texts = apk_versions(20_000, seed=21)
    differ = []
    for text in texts:
        try:
            apk.parse(text)
            mine = True
        except InvalidVersion:
            mine = False
        if mine != apk_valid(text):
            differ.append(text)
    assert differ[:10] == []
    assert 0 < sum(map(apk_valid, texts)) < len(texts)


def test_order_agrees_with_the_apk_tools_algorithm_on_20000_pairs() -> None:
    texts = [text for text in apk_versions(25_000, seed=22) if apk_valid(text)]
    pairs = [
        (a, b) for a, b in adversarial_pairs(texts, seed=23, alphabet=APK_ALPHABET) if apk_valid(b)
    ]
    assert len(pairs) >= 20_000
    differ = [(a, b) for a, b in pairs if apk.compare(a, b) != apk_compare(a, b)]
    assert differ[:10] == []
