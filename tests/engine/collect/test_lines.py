"""Untrusted output is split into clean lines; everything else is rejected and counted."""

from __future__ import annotations

from patchdesk.engine.collect.lines import (
    MAX_LINE_CHARS,
    Rejections,
    describe,
    iter_lines,
    iter_records,
    split_sections,
)


def test_clean_lines_pass_blank_ones_are_skipped_crlf_is_tolerated() -> None:
    rejections = Rejections("t")
    lines = list(iter_lines(b"one\n\n  \ntwo\r\nthree", rejections))
    assert lines == [(1, "one"), (4, "two"), (5, "three")]
    assert rejections.warning() is None


def test_garbage_is_rejected_line_by_line_with_a_count() -> None:
    data = b"\n".join(
        [
            b"good 1",
            b"\xff\xfe not utf-8",
            b"x" * (MAX_LINE_CHARS + 1),
            b"escape \x1b[31m sequence",
            b"nul \x00 inside",
            b"good 2",
        ]
    )
    rejections = Rejections("dpkg-query")
    assert [text for _, text in iter_lines(data + b"\n", rejections)] == ["good 1", "good 2"]
    warning = rejections.warning()
    assert warning is not None
    assert (warning.source, warning.code, warning.count) == ("dpkg-query", "rejected_lines", 4)
    assert warning.examples[0] == "line 2: not UTF-8"
    assert "\x1b" not in " ".join(warning.examples)  # previews are escaped


def test_a_huge_line_is_rejected_without_decoding_it() -> None:
    rejections = Rejections("t")
    assert list(iter_lines(b"a" * 10_000_000 + b"\nok\n", rejections)) == [(2, "ok")]
    assert rejections.count == 1


def test_truncated_output_loses_only_its_incomplete_last_line() -> None:
    rejections = Rejections("t")
    lines = list(iter_lines(b"complete\nhalf a li", rejections, is_truncated=True))
    assert lines == [(1, "complete")]
    assert rejections.examples == ["line 2: incomplete last line (output cut off)"]


def test_nul_separated_records() -> None:
    rejections = Rejections("find")
    records = list(iter_records(b"/opt/a\0/opt/b c\0", rejections, separator=b"\0"))
    assert records == [(1, "/opt/a"), (2, "/opt/b c")]


def test_sections_and_a_forged_repeated_header() -> None:
    rejections = Rejections("identity")
    lines = list(
        iter_lines(
            b"noise\n@@pd uid@@\n1000\n@@pd os-release@@\nID=debian\n@@pd uid@@\n0\n", rejections
        )
    )
    sections = split_sections(lines, "pd", rejections)
    assert sections == {"os-release": ["ID=debian"]}  # the ambiguous "uid" section is dropped
    assert rejections.count == 1


def test_describe_escapes_and_shortens() -> None:
    assert describe("a\tb") == "a\\tb"
    assert describe("x" * 100).endswith("...")
