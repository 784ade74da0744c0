"""dpkg versions: the upstream test vectors of dpkg and apt, validation, warnings, keys."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from patchdesk.engine.versions import InvalidVersion, Reason, dpkg

DATA = Path(__file__).parent / "data"

# dpkg 1.21 refuses these operands of older upstream vectors (see the data file headers).
REFUSED_BY_DPKG_1_21 = {"0foo-": Reason.REVISION_EMPTY, "-0.6.5": Reason.UPSTREAM_EMPTY}


def comparison_lines(name: str) -> list[tuple[str, str, int]]:
    cases = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            cases.append((fields[0], fields[1], int(fields[2])))
    return cases


VECTORS = comparison_lines("dpkg_Dpkg_Version.t.data") + comparison_lines("apt_versions.lst")


@pytest.mark.parametrize(("a", "b", "expected"), VECTORS, ids=[f"{a} {b}" for a, b, _ in VECTORS])
def test_upstream_vectors_of_dpkg_and_apt(a: str, b: str, expected: int) -> None:
    refused = [v for v in (a, b) if v in REFUSED_BY_DPKG_1_21]
    if refused:
        with pytest.raises(InvalidVersion) as caught:
            dpkg.compare(a, b)
        assert caught.value.reason == REFUSED_BY_DPKG_1_21[refused[0]]
        return
    assert dpkg.compare(a, b) == expected
    assert dpkg.compare(b, a) == -expected


def t_version_cases() -> list[list[str]]:
    cases = []
    for line in (DATA / "dpkg_t-version.c.data").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cases.append([field.strip() for field in line.split(" | ")])
    return cases


def test_the_vectors_are_all_there() -> None:
    assert len(VECTORS) == 44 + 64
    assert len(t_version_cases()) == 88


@pytest.mark.parametrize("case", t_version_cases(), ids=lambda case: " ".join(case[:3]))
def test_libdpkg_t_version_vectors(case: list[str]) -> None:
    if case[0] == "compare":
        a = (int(case[1]), ast.literal_eval(case[2]), ast.literal_eval(case[3]))
        b = (int(case[4]), ast.literal_eval(case[5]), ast.literal_eval(case[6]))
        text_a = f"{a[0]}:{a[1]}-{a[2]}"
        text_b = f"{b[0]}:{b[1]}-{b[2]}"
        assert dpkg.compare(text_a, text_b) == int(case[7])
        return
    text, status = ast.literal_eval(case[1]), case[2]
    if case[-1] == "dpkg-1.21: error":
        status = "error"
    if status == "error":
        with pytest.raises(InvalidVersion):
            dpkg.parse(text)
        return
    version = dpkg.parse(text)
    assert (version.warning is not None) == (status == "warn")
    if status == "ok":
        expected = (int(case[3]), ast.literal_eval(case[4]), ast.literal_eval(case[5]))
        assert (version.epoch, version.upstream, version.revision) == expected


@pytest.mark.parametrize(
    ("text", "reason", "message"),
    [
        ("", Reason.EMPTY, "version string is empty"),
        (" \t", Reason.EMPTY, "version string is empty"),
        ("1 0", Reason.EMBEDDED_SPACES, "version string has embedded spaces"),
        (":1", Reason.EPOCH_EMPTY, "epoch in version is empty"),
        ("a:1", Reason.EPOCH_EMPTY, "epoch in version is empty"),
        ("1.0-a:b", Reason.EPOCH_NOT_NUMBER, "epoch in version is not number"),
        ("-1:0", Reason.EPOCH_NEGATIVE, "epoch in version is negative"),
        ("2147483648:1", Reason.EPOCH_TOO_BIG, "epoch in version is too big"),
        ("99999999999999999999:1", Reason.EPOCH_TOO_BIG, "epoch in version is too big"),
        ("1:", Reason.NOTHING_AFTER_COLON, "nothing after colon in version number"),
        ("1: ", Reason.UPSTREAM_EMPTY, "version number is empty"),
        ("1.0-", Reason.REVISION_EMPTY, "revision number is empty"),
        ("-1", Reason.UPSTREAM_EMPTY, "version number is empty"),
        ("1\x00", Reason.NUL_CHARACTER, "contains a NUL character"),
        ("1\udc80", Reason.NOT_ENCODABLE, "cannot be encoded as UTF-8"),
    ],
)
def test_what_dpkg_refuses_raises_with_the_reason(text: str, reason: Reason, message: str) -> None:
    with pytest.raises(InvalidVersion) as caught:
        dpkg.parse(text)
    assert (caught.value.reason, caught.value.detail, caught.value.text) == (reason, message, text)
    assert message in str(caught.value)
    with pytest.raises(InvalidVersion):
        dpkg.sort_key(text)


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("abc", Reason.UPSTREAM_NOT_DIGIT),
        ("1.0_1", Reason.UPSTREAM_BAD_CHARACTER),
        ("1.0-1_0", Reason.REVISION_BAD_CHARACTER),
        ("1.0-1:0", None),  # the first colon is the epoch's: "epoch in version is not number"
        ("1.0é", Reason.UPSTREAM_BAD_CHARACTER),
    ],
)
def test_what_dpkg_only_warns_about_is_accepted_unless_strict(
    text: str, warning: Reason | None
) -> None:
    if warning is None:
        with pytest.raises(InvalidVersion):
            dpkg.parse(text)
        return
    assert dpkg.parse(text).warning == warning
    with pytest.raises(InvalidVersion) as caught:
        dpkg.parse(text, strict=True)
    assert caught.value.reason == warning


def test_what_dpkg_accepts_silently() -> None:
    """strtol() reads the epoch: a sign and C white space before it are fine; blanks trimmed."""
    assert dpkg.parse("+1:0").epoch == 1
    assert dpkg.parse("-0:1").epoch == 0
    assert dpkg.parse("\n5:1.0").epoch == 5
    assert dpkg.parse("2147483647:1").epoch == 2**31 - 1
    version = dpkg.parse(" \t1:2:3-4-5 ")
    assert (version.epoch, version.upstream, version.revision, version.warning) == (
        1,
        "2:3-4",
        "5",
        None,
    )


def test_tilde_sorts_before_everything_even_the_end() -> None:
    """Debian Policy §5.6.12: "~" sorts before anything, even the end of a part."""
    ordered = ["1.0~~", "1.0~~a", "1.0~", "1.0~a", "1.0", "1.0a", "1.0é", "1.0+", "1.0.1"]
    assert sorted(ordered, key=dpkg.sort_key) == ordered
    assert [dpkg.compare(a, b) for a, b in itertools.pairwise(ordered)] == [-1] * 8


def test_digit_runs_compare_numerically_at_any_length() -> None:
    big = "1" + "0" * 300
    assert dpkg.compare(big, "9" * 300) == 1
    assert dpkg.compare("0" * 50 + "7", "7") == 0
    assert dpkg.compare("1." + "9" * 40, "1." + "1" + "0" * 40) == -1


def test_equal_versions_have_equal_keys() -> None:
    equal = ["1.0", "0:1.0", "1.00", "1.0-0", "0:01.000-00"]
    assert len({dpkg.sort_key(text) for text in equal}) == 1
    assert len({dpkg.parse(text) for text in equal}) == 1
