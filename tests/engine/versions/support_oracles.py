"""Drive the real tools in batches: one helper process answers a whole list of requests.

* dpkg: a small C program built at test time against libdpkg (``oracles/dpkg_oracle.c``).
* rpm: ``oracles/rpm_oracle.py`` under the system interpreter, where python3-rpm imports.

Both read hex-encoded requests on stdin and answer one line each (see the two files).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DpkgAnswer",
    "RpmAnswer",
    "build_dpkg_oracle",
    "dpkg_compare_many",
    "dpkg_parse_many",
    "rpm_oracle_problem",
    "rpm_parse_many",
    "rpm_request_many",
]

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"


def _run(command: list[str], requests: list[str]) -> list[str]:
    payload = "".join(request + "\n" for request in requests)
    done = subprocess.run(
        command, input=payload, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"oracle {command[0]} failed ({done.returncode}): {done.stderr}")
    answers = done.stdout.splitlines()
    if len(answers) != len(requests):
        raise RuntimeError(f"oracle answered {len(answers)} of {len(requests)} requests")
    return answers


def _hex(text: str) -> str:
    return text.encode("utf-8").hex()


def _unhex(field: str) -> str:
    return "" if field in {"-", "."} else bytes.fromhex(field).decode("utf-8")


def build_dpkg_oracle(directory: Path) -> tuple[Path | None, str | None]:
    """Compile the libdpkg oracle into ``directory``: (binary, None) or (None, problem)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None, "gcc is not installed (Debian package gcc)"
    if not Path("/usr/include/dpkg/version.h").exists():
        return None, "libdpkg headers are missing (Debian package libdpkg-dev)"
    link = ["-ldpkg"]  # the static libdpkg.a; parseversion() needs none of its private libs
    if shutil.which("pkg-config"):
        flags = subprocess.run(
            ["pkg-config", "--cflags", "--libs", "libdpkg"],
            capture_output=True,
            text=True,
            check=False,
        )
        if flags.returncode == 0:
            link = flags.stdout.split()
    binary = directory / "dpkg_oracle"
    source = HERE / "oracles" / "dpkg_oracle.c"
    built = subprocess.run(
        [
            gcc,
            "-O2",
            "-DLIBDPKG_VOLATILE_API=1",
            "-o",
            str(binary),
            str(source),
            *link,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        return None, f"cannot build the libdpkg oracle: {built.stderr.strip()}"
    return binary, None


@dataclass(frozen=True)
class DpkgAnswer:
    status: str  # ok, warn or error
    message: str
    epoch: int
    upstream: str
    revision: str


def dpkg_parse_many(binary: Path, texts: list[str]) -> list[DpkgAnswer]:
    answers = []
    for line in _run([str(binary)], [f"P {_hex(text)}" for text in texts]):
        _, status, message, epoch, upstream, revision = line.split(" ")
        answers.append(
            DpkgAnswer(status, _unhex(message), int(epoch), _unhex(upstream), _unhex(revision))
        )
    return answers


def dpkg_compare_many(binary: Path, pairs: list[tuple[str, str]]) -> list[int | None]:
    """dpkg_version_compare per pair, None where libdpkg refuses either version."""
    lines = _run([str(binary)], [f"C {_hex(a)} {_hex(b)}" for a, b in pairs])
    return [None if line == "C x" else int(line.split(" ")[1]) for line in lines]


def rpm_oracle_problem() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} does not exist"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import rpm"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import rpm: {probe.stderr.strip()}"
    return None


@dataclass(frozen=True)
class RpmAnswer:
    ok: bool
    epoch: str | None
    version: str
    release: str | None


def _optional(field: str) -> str | None:
    return None if field == "-" else _unhex(field)


def rpm_parse_many(texts: list[str]) -> list[RpmAnswer]:
    lines = _run(
        [SYSTEM_PYTHON, str(HERE / "oracles" / "rpm_oracle.py")],
        [f"P {_hex(text)}" for text in texts],
    )
    answers = []
    for line in lines:
        fields = line.split(" ")
        if fields[1] != "ok":
            answers.append(RpmAnswer(ok=False, epoch=None, version="", release=None))
            continue
        answers.append(
            RpmAnswer(True, _optional(fields[2]), _unhex(fields[3]), _optional(fields[4]))
        )
    return answers


def rpm_request_many(command: str, pairs: list[tuple[str, str]]) -> list[int | None]:
    """``V`` (rpmverCmp on EVRs) or ``S`` (rpmvercmp on bare strings) for every pair."""
    lines = _run(
        [SYSTEM_PYTHON, str(HERE / "oracles" / "rpm_oracle.py")],
        [f"{command} {_hex(a)} {_hex(b)}" for a, b in pairs],
    )
    return [None if line.endswith(" x") else int(line.split(" ")[1]) for line in lines]
