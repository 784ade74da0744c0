"""Version strings for the differential tests: real ones from the shared data, and nasty ones.

Real Debian versions come from the Debian 12 package indexes in the shared data
(``debian-archive/*.tsv.gz``, ~66k rows), real RPM EVRs from the AlmaLinux OSV export
(``affected[].ranges[].events[].fixed``). The adversarial generator is seeded, so every run
sends the same strings to the oracles.
"""

from __future__ import annotations

import csv
import functools
import gzip
import itertools
import json
import lzma
import random

from patchdesk_testing.paths import shared_data

__all__ = [
    "SHARED_DATA",
    "adversarial_dpkg",
    "adversarial_rpm",
    "almalinux_evrs",
    "debian_versions",
    "near_pairs",
    "random_pairs",
]

SHARED_DATA = shared_data()


@functools.cache
def debian_versions() -> tuple[str, ...]:
    """Every distinct binary and source version of the Debian 12 indexes, sorted as text."""
    found: set[str] = set()
    for path in sorted((SHARED_DATA / "debian-archive").glob("*.tsv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                found.update(value for value in (row["version"], row["source_version"]) if value)
    return tuple(sorted(found))


@functools.cache
def almalinux_evrs() -> tuple[str, ...]:
    """Every distinct fixed EVR of the AlmaLinux 8/9/10 OSV export."""
    found: set[str] = set()
    for path in sorted((SHARED_DATA / "almalinux-osv").glob("*.osv.jsonl.xz")):
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                for affected in json.loads(line).get("affected", []):
                    for version_range in affected.get("ranges", []):
                        for event in version_range.get("events", []):
                            if "fixed" in event:
                                found.add(event["fixed"])
    return tuple(sorted(found))


def random_pairs(values: tuple[str, ...], count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(rng.choice(values), rng.choice(values)) for _ in range(count)]


def near_pairs(values: tuple[str, ...], count: int, seed: int) -> list[tuple[str, str]]:
    """Pairs of neighbours in text order: versions of one package, the hard cases."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        index = rng.randrange(len(values) - 3)
        pairs.append((values[index], values[index + rng.randint(1, 3)]))
    return pairs


_DIGIT_RUNS = ["0", "1", "9", "10", "00", "007", "2147483647", "4294967296", "18446744073709551616"]
_LONG_DIGITS = ["1" + "0" * 25, "9" * 40, "0" * 30 + "1", "12345678901234567890123"]
_WORDS = ["a", "b", "z", "A", "Z", "rc", "dfsg", "deb12u1", "el9", "git", "p", "~", "~~", "+"]
_ODD = [
    "é",
    "\u03b1",
    "€",
    "ÿ",
    "\u00a0",
    "😀",
    "_",
    "!",
    "*",
    "@",
    "/",
    "\\",
    "=",
    "%",
    "'",
    "\x7f",
]
_BLANKS = [" ", "\t", "\n", "\r", "\x0b", "\x0c"]


def _fragment(rng: random.Random, extra: list[str]) -> str:
    pool = rng.choice([_DIGIT_RUNS, _DIGIT_RUNS, _LONG_DIGITS, _WORDS, _WORDS, extra, _ODD])
    return rng.choice(pool)


def _mutate(rng: random.Random, text: str, alphabet: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        position = rng.randint(0, len(chars))
        action = rng.random()
        if action < 0.4:
            chars.insert(position, rng.choice(alphabet))
        elif action < 0.7 and chars:
            del chars[min(position, len(chars) - 1)]
        elif chars:
            chars[min(position, len(chars) - 1)] = rng.choice(alphabet)
    return "".join(chars)


def _adversarial(rng: random.Random, base: tuple[str, ...], extra: list[str], alphabet: str) -> str:
    roll = rng.random()
    if roll < 0.35:
        return _mutate(rng, rng.choice(base), alphabet)
    text = "".join(_fragment(rng, extra) for _ in range(rng.randint(0, 7)))
    if roll < 0.55:
        text = rng.choice(["0:", "1:", "00:", "-1:", "+2:", ":", "2147483648:", "99:"]) + text
    if roll > 0.9:
        text = rng.choice(["", " ", "\t"]) + text + rng.choice(["", " ", "\t", "-", ":"])
    return text


def adversarial_dpkg(count: int, seed: int) -> list[str]:
    """Odd dpkg strings: epochs of every kind, hyphens and colons anywhere, blanks, non-ASCII."""
    rng = random.Random(seed)
    alphabet = "0123456789abzAZ.+-~:_ é\t" + "".join(_BLANKS)
    extra = ["-", "--", ":", "::", ".", "-0", "-1", ":0", "0:", "", *_BLANKS]
    return [_adversarial(rng, debian_versions(), extra, alphabet) for _ in range(count)]


def adversarial_rpm(count: int, seed: int) -> list[str]:
    """Odd EVR strings: many ``~`` and ``^``, separators, empty parts, non-ASCII."""
    rng = random.Random(seed)
    alphabet = "0123456789abzAZ.+-~^:_é"
    extra = ["^", "^^", "~^", "^~", "-", ":", ".", "..", "_", "+", "", "^git1", "~rc1"]
    base = almalinux_evrs() + debian_versions()[::50]
    return [_adversarial(rng, base, extra, alphabet) for _ in range(count)]


def adversarial_pairs(texts: list[str], seed: int, alphabet: str) -> list[tuple[str, str]]:
    """Two pairs per string: with its neighbour in the list, and with a mutation of itself."""
    rng = random.Random(seed)
    pairs = list(itertools.pairwise(texts))
    pairs += [(text, _mutate(rng, text, alphabet)) for text in texts if text]
    return pairs


DPKG_ALPHABET = "0123456789abzAZ.+-~:_ é\t\n"
RPM_ALPHABET = "0123456789abzAZ.+-~^:_é"
APK_ALPHABET = "0123456789abfgprz._-~rA"
_APK_NUMBERS = ["0", "1", "2", "9", "10", "01", "001", "00", "007", "20240101", *_LONG_DIGITS]
_APK_SUFFIXES = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p", "foo", "a", ""]


def _apk_number(rng: random.Random) -> str:
    return rng.choice(_APK_NUMBERS)


def apk_versions(count: int, seed: int) -> list[str]:
    """apk strings from the grammar, most valid, some broken by a mutation or a bad suffix."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        text = _apk_number(rng) + "".join(
            "." + _apk_number(rng) for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))
        )
        if rng.random() < 0.3:
            text += rng.choice("abcxz")
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            text += "_" + rng.choice(_APK_SUFFIXES) + rng.choice(["", "", "1", "2", "10", "01"])
        if rng.random() < 0.15:
            text += "~" + rng.choice(["abc", "0123", "deadbeef", "a", "f00", "ab1"])
        if rng.random() < 0.5:
            text += "-r" + rng.choice(["0", "1", "2", "10", "01", "18446744073709551617"])
        if rng.random() < 0.1:
            text = _mutate(rng, text, APK_ALPHABET)
        texts.append(text)
    return texts
