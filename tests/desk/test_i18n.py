"""The Japanese catalogue is complete, compiled, and in step with the source strings."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest

from patchdesk_testing.po import po_read
from patchdesk_testing.processes import cli_env, run_cli

DESK = Path(__file__).resolve().parents[2] / "src" / "patchdesk" / "desk"
CATALOGUE = DESK / "locale" / "ja" / "LC_MESSAGES"


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    entries = po_read(CATALOGUE / "django.po")
    assert entries
    untranslated = [e.msgid for e in entries if not all(e.msgstr)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_read(CATALOGUE / "django.po"):
        if not entry.msgid_plural:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


@pytest.mark.slow
def test_makemessages_finds_no_new_strings(tmp_path: Path) -> None:
    copy = tmp_path / "desk"
    shutil.copytree(DESK, copy, ignore=shutil.ignore_patterns("__pycache__"))
    result = run_cli(
        "manage",
        "makemessages",
        "-l",
        "ja",
        "--no-obsolete",
        "--no-location",
        env=cli_env(tmp_path / "data"),
        cwd=copy,
    )
    assert result.returncode == 0, result.stderr
    before = {e.msgid for e in po_read(CATALOGUE / "django.po")}
    after = {e.msgid for e in po_read(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po")}
    assert after - before == set(), "new strings: run `make messages` and translate them"
    assert before - after == set(), "stale strings: run `make messages`"
