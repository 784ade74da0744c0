"""Reading changelogs out of .deb files built by the real dpkg-deb (gzip, xz, none, zstd)."""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from patchdesk.engine.feeds.deb_archive import DebArchiveError, read_deb_changelog
from patchdesk_testing.plugin import require

CHANGELOG = """pdtest-bar (1.0-1+deb12u1) bookworm-security; urgency=high

  * Fix CVE-2099-1234 and CVE-2099-123456.

 -- Pd Test <pdtest@example.invalid>  Mon, 23 Nov 2026 10:00:00 +0100
"""


def build_deb(
    directory: Path,
    package: str,
    *,
    files: dict[str, bytes] | None = None,
    links: dict[str, str] | None = None,
    compression: str = "xz",
) -> Path:
    """A .deb made by dpkg-deb from ``files`` and ``links`` (paths below the root)."""
    require("dpkg-deb", None if shutil.which("dpkg-deb") else "dpkg-deb is not installed")
    root = directory / f"root-{package}-{compression}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {package}\nVersion: 1.0-1+deb12u1\nArchitecture: all\n"
        "Maintainer: Pd Test <pdtest@example.invalid>\nSource: pdtest-bar\n"
        "Description: patchdesk test package\n",
        encoding="utf-8",
    )
    for path, data in (files or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    for path, target in (links or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).symlink_to(target)
    output = directory / f"{package}_{compression}.deb"
    subprocess.run(
        ["dpkg-deb", f"-Z{compression}", "--root-owner-group", "-b", str(root), str(output)],
        check=True,
        capture_output=True,
    )
    return output


def doc(package: str, name: str = "changelog.Debian.gz") -> str:
    return f"usr/share/doc/{package}/{name}"


@pytest.mark.parametrize("compression", ["xz", "gzip", "none"])
def test_changelog_debian_gz(tmp_path: Path, compression: str) -> None:
    deb = build_deb(
        tmp_path,
        "pdtest-libbar",
        files={
            doc("pdtest-libbar"): gzip.compress(CHANGELOG.encode()),
            doc("pdtest-libbar", "changelog.gz"): gzip.compress(b"upstream changes"),
            doc("pdtest-libbar", "copyright"): b"public domain",
            "usr/lib/libbar.so.1": b"\x7fELF" + b"\0" * 5000,
        },
        compression=compression,
    )
    found = read_deb_changelog(deb, "pdtest-libbar")
    assert found.changelog == CHANGELOG  # changelog.Debian.gz wins over the upstream one
    assert found.changelog_path == doc("pdtest-libbar")
    assert found.doc_symlink == ""
    with deb.open("rb") as stream:  # an open file works as well as a path
        assert read_deb_changelog(stream, "pdtest-libbar") == found


def test_native_package_changelog_gz(tmp_path: Path) -> None:
    deb = build_deb(
        tmp_path, "pdtest-native", files={doc("pdtest-native", "changelog.gz"): gzip.compress(b"x")}
    )
    found = read_deb_changelog(deb, "pdtest-native")
    assert (found.changelog, found.changelog_path) == ("x", doc("pdtest-native", "changelog.gz"))


def test_doc_directory_symlink_to_another_package(tmp_path: Path) -> None:
    deb = build_deb(
        tmp_path, "pdtest-bar-server", links={"usr/share/doc/pdtest-bar-server": "pdtest-libbar"}
    )
    found = read_deb_changelog(deb, "pdtest-bar-server")
    assert found.changelog is None
    assert found.doc_symlink == "pdtest-libbar"


def test_changelog_symlink_inside_the_directory(tmp_path: Path) -> None:
    deb = build_deb(
        tmp_path,
        "pdtest-unzip",
        files={doc("pdtest-unzip", "History.600.gz"): gzip.compress(b"history")},
        links={doc("pdtest-unzip", "changelog.gz"): "History.600.gz"},
    )
    found = read_deb_changelog(deb, "pdtest-unzip")
    assert found.changelog == "history"
    assert found.changelog_path == doc("pdtest-unzip", "History.600.gz")


def test_no_changelog_at_all(tmp_path: Path) -> None:
    deb = build_deb(tmp_path, "pdtest-empty", files={doc("pdtest-empty", "copyright"): b"x"})
    assert read_deb_changelog(deb, "pdtest-empty").changelog is None


def test_zstd_is_refused_with_the_reason(tmp_path: Path) -> None:
    deb = build_deb(
        tmp_path, "pdtest-zst", files={doc("pdtest-zst"): gzip.compress(b"x")}, compression="zstd"
    )
    with pytest.raises(DebArchiveError, match=r"data\.tar\.zst .*no zstd"):
        read_deb_changelog(deb, "pdtest-zst")


def test_damaged_files(tmp_path: Path) -> None:
    deb = build_deb(tmp_path, "pdtest-libbar", files={doc("pdtest-libbar"): gzip.compress(b"x")})
    data = deb.read_bytes()
    middle = len(data) - 300
    cases = [
        b"PK\x03\x04" + data,  # not an ar archive
        data[: len(data) - 200],  # truncated inside data.tar.xz
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 50]) + data[middle + 50 :],
        data[:8],  # the ar header only
        data[:8] + b"x" * 60,  # a damaged member header
        b"",
    ]
    for broken in cases:
        with pytest.raises(DebArchiveError):
            read_deb_changelog(io.BytesIO(broken), "pdtest-libbar")
    bad_gzip = build_deb(tmp_path, "pdtest-badgz", files={doc("pdtest-badgz"): b"not gzip"})
    with pytest.raises(DebArchiveError, match="damaged gzip"):
        read_deb_changelog(bad_gzip, "pdtest-badgz")
