"""APT source lists (deb822 and one-line) and Debian Release / Packages files."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from patchdesk.engine.feeds.debian_packages import (
    is_security_suite,
    parse_packages_index,
    parse_release_file,
)
from patchdesk.engine.feeds.debian_sources import (
    AptSource,
    parse_apt_sources_text,
    parse_deb822_sources,
    parse_one_line_sources,
    read_apt_sources,
    read_apt_sources_path,
    sources_for_release,
)
from patchdesk_testing.paths import shared_data

DATA = shared_data()

DEB822 = """\
Types: deb
# a comment inside the stanza, as Debian's installer writes them
URIs: http://mirror.example.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://mirror.example.invalid/debian-security/ http://backup.example.invalid/ds
Suites: bookworm-security
Components: main
Architectures: amd64 arm64

Types: deb
Enabled: no
URIs: http://disabled.example.invalid/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://flat.example.invalid/repo
Suites: ./

Types: deb
URIs: ftp://old.example.invalid/debian
Suites: bookworm
Components: main

Types: deb
Suites: bookworm
Components: main
"""


def test_deb822_stanzas() -> None:
    result = parse_deb822_sources(DEB822, origin="debian.sources")
    assert [(s.uri, s.suites, s.components, s.binary) for s in result.records] == [
        (
            "http://mirror.example.invalid/debian",
            ("bookworm", "bookworm-updates"),
            ("main", "contrib"),
            True,
        ),
        ("http://mirror.example.invalid/debian-security", ("bookworm-security",), ("main",), True),
        ("http://backup.example.invalid/ds", ("bookworm-security",), ("main",), True),
        ("http://flat.example.invalid/repo", ("./",), (), True),
    ]
    assert result.records[0].signed_by == "/usr/share/keyrings/debian-archive-keyring.gpg"
    assert result.records[1].architectures == ("amd64", "arm64")
    assert [(r.location, r.reason) for r in result.rejected] == [
        ("debian.sources stanza 5", "unsupported URI 'ftp://old.example.invalid/debian'"),
        ("debian.sources stanza 6", "no URIs"),
    ]


def test_one_line_entries() -> None:
    text = """\
# comment
deb http://mirror.example.invalid/debian bookworm main contrib  # trailing comment
deb [arch=amd64,arm64 signed-by=/etc/apt/keyrings/x.gpg] https://r.example.invalid/apt stable main
deb-src http://mirror.example.invalid/debian bookworm main
deb [trusted=yes] http://10.213.0.1:8082/ bookworm-security main
deb file:///srv/mirror ./
deb http://mirror.example.invalid/debian bookworm
this is not a source line
"""
    result = parse_one_line_sources(text, origin="sources.list")
    assert [(s.uri, s.suites, s.components, s.binary) for s in result.records] == [
        ("http://mirror.example.invalid/debian", ("bookworm",), ("main", "contrib"), True),
        ("https://r.example.invalid/apt", ("stable",), ("main",), True),
        ("http://mirror.example.invalid/debian", ("bookworm",), ("main",), False),
        ("http://10.213.0.1:8082", ("bookworm-security",), ("main",), True),
        ("file:///srv/mirror", ("./",), (), True),
    ]
    assert result.records[1].architectures == ("amd64", "arm64")
    assert result.records[1].signed_by == "/etc/apt/keyrings/x.gpg"
    assert [r.location for r in result.rejected] == ["sources.list line 7", "sources.list line 8"]


def test_index_and_release_urls() -> None:
    security = AptSource(
        uri="http://m.invalid/debian-security",
        suites=("bookworm-security",),
        components=("main", "contrib"),
    )
    assert list(security.index_urls("bookworm-security", "amd64")) == [
        (
            "main",
            "http://m.invalid/debian-security/dists/bookworm-security/main/binary-amd64/Packages.xz",
        ),
        (
            "contrib",
            "http://m.invalid/debian-security/dists/bookworm-security/contrib/binary-amd64/Packages.xz",
        ),
    ]
    assert security.release_url("bookworm-security") == (
        "http://m.invalid/debian-security/dists/bookworm-security/Release"
    )
    flat = AptSource(uri="file:///srv/mirror", suites=("./",))
    assert list(flat.index_urls("./", "amd64")) == [("", "file:///srv/mirror/Packages.xz")]
    assert flat.release_url("./") == "file:///srv/mirror/Release"
    sub = AptSource(uri="http://r.invalid", suites=("stable/",))
    assert list(sub.index_urls("stable/", "amd64")) == [("", "http://r.invalid/stable/Packages.xz")]


def test_read_an_apt_directory(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text("deb http://a.invalid/debian bookworm main\n")
    (tmp_path / "sources.list.d" / "debian.sources").write_text(DEB822)
    (tmp_path / "sources.list.d" / "extra.list").write_text("deb http://b.invalid/x stable main\n")
    (tmp_path / "sources.list.d" / "old.list.disabled-by-farm").write_text(
        "deb http://c.invalid/ x y\n"
    )
    (tmp_path / "sources.list.d" / "notes.txt").write_text("deb http://d.invalid/ x y\n")
    result = read_apt_sources(tmp_path)
    uris = [s.uri for s in result.records]
    assert uris[0] == "http://a.invalid/debian"  # sources.list first, then the parts in order
    assert uris[1:5] == [
        "http://mirror.example.invalid/debian",
        "http://mirror.example.invalid/debian-security",
        "http://backup.example.invalid/ds",
        "http://flat.example.invalid/repo",
    ]
    assert uris[5] == "http://b.invalid/x"
    assert len(uris) == 6
    assert len(result.rejected) == 2  # the two bad stanzas of debian.sources


def test_the_machines_own_configuration_is_readable() -> None:
    result = read_apt_sources()
    assert result.rejected == []
    assert any(source.binary and source.suites for source in result.records)


XZ_SHA256 = "ee8ab5a3ce537673f0833471f7e8659185ba0a2e615dc54127315057d2455376"
RELEASE = f"""\
-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Origin: Debian
Label: Debian-Security
Suite: oldstable-security
Version: 12
Codename: bookworm-security
Date: Tue, 24 Nov 2026 00:34:33 UTC
Valid-Until: Tue, 01 Dec 2026 00:34:33 UTC
Components: updates/main updates/contrib
SHA256:
 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 contrib/Contents-amd64
 9a654c21a035edc55b422292960320bcdc3b9351a35d48fccd42359f2cf130a8 2531138 main/binary-amd64/Packages
 {XZ_SHA256} 379616 main/binary-amd64/Packages.xz
 not-a-checksum 12 main/x
-----BEGIN PGP SIGNATURE-----

iQIzBAEBCAAdFiEE
-----END PGP SIGNATURE-----
"""


def test_release_file_of_the_security_archive() -> None:
    """Lines of bookworm-security's real InRelease (2026-11-24), column padding shortened."""
    release = parse_release_file(RELEASE)
    assert (release.origin, release.label, release.suite, release.codename) == (
        "Debian",
        "Debian-Security",
        "oldstable-security",
        "bookworm-security",
    )
    assert release.date == datetime(2026, 11, 24, 0, 34, 33, tzinfo=UTC)
    assert release.sha256["main/binary-amd64/Packages.xz"] == (XZ_SHA256, 379616)
    assert len(release.sha256) == 3
    assert is_security_suite("oldstable", release)  # the label says so
    assert is_security_suite("bookworm-security")
    assert is_security_suite("buster/updates")
    assert not is_security_suite("bookworm")
    assert not is_security_suite("bookworm-updates", parse_release_file("Label: Debian\n"))
    assert parse_release_file("") == parse_release_file("garbage without colon")


def packages_text_from_the_real_index() -> tuple[str, int]:
    """bookworm-security's real package list (TSV extract) written back as a Packages file."""
    stanzas = []
    path = DATA / "debian-archive" / "bookworm-security_main_amd64_packages.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for row in rows:
            if row.startswith("package\t"):
                continue  # the header row
            package, version, arch, source, source_version, section, priority = row.rstrip(
                "\n"
            ).split("\t")
            source_field = source if source_version == version else f"{source} ({source_version})"
            if source == package and source_version == version:
                source_field = ""
            stanzas.append(
                f"Package: {package}\n"
                + (f"Source: {source_field}\n" if source_field else "")
                + f"Version: {version}\nArchitecture: {arch}\nSection: {section}\n"
                f"Priority: {priority}\nFilename: pool/updates/main/{package[0]}/{source}/"
                f"{package}_{version}_{arch}.deb\nSize: 1234\nSHA256: {'ab' * 32}\n"
            )
    return "\n".join(stanzas), len(stanzas)


def test_packages_index_of_the_real_security_suite() -> None:
    text, count = packages_text_from_the_real_index()
    result = parse_packages_index(text, location="bookworm-security")
    assert result.rejected == []
    assert len(result.records) == count == 3028
    openssl = next(e for e in result.records if e.package == "libssl3")
    assert (openssl.source, openssl.source_version) == ("openssl", openssl.version)
    assert any(e.source_version != e.version for e in result.records)  # binNMU-style entries


def test_bad_package_stanzas() -> None:
    text = """\
Package: good
Version: 1.0-1
Architecture: amd64
Filename: pool/g/good_1.0-1_amd64.deb

Version: 1.0
Filename: x

Package: bad-version
Version: 1.0 -1
Filename: x

Package: Bad_Name
Version: 1.0
Filename: x

Package: nofile
Version: 1.0

Package: badsource
Source: src (1:)
Version: 1.0
Filename: x

Package: badsize
Version: 1.0
Filename: x
Size: many
"""
    result = parse_packages_index(text, location="Packages")
    assert [e.package for e in result.records] == ["good"]
    reasons = [r.reason for r in result.rejected]
    assert reasons[0] == "no Package field"
    assert reasons[1].startswith("invalid dpkg version '1.0 -1'")
    assert reasons[2] == "invalid name 'Bad_Name'"
    assert reasons[3] == "no Filename field"
    assert reasons[4].startswith("invalid dpkg version '1:'")
    assert reasons[5] == "invalid Size field"
    assert len(reasons) == 6


def test_a_releases_own_suites_are_chosen_without_backports() -> None:
    text = (
        "deb http://127.0.0.1/debian bookworm main\n"
        "deb http://127.0.0.1/debian bookworm-backports main\n"
        "deb http://127.0.0.1/debian-security bookworm-security main\n"
        "deb http://127.0.0.1/debian-security bookworm/updates main\n"
        "deb http://127.0.0.1/debian bullseye main\n"
        "deb http://127.0.0.1/debian stable main\n"
        "deb http://127.0.0.1/debian bookworm-proposed-updates main\n"
        "deb-src http://127.0.0.1/debian bookworm main\n"
        "deb http://127.0.0.1/flat ./\n"
    )
    parsed = parse_apt_sources_text(text)
    assert parsed.rejected == []
    chosen = sources_for_release(parsed.records, "bookworm")
    assert [(s.uri, s.suites) for s in chosen] == [
        ("http://127.0.0.1/debian", ("bookworm",)),
        ("http://127.0.0.1/debian-security", ("bookworm-security",)),
        ("http://127.0.0.1/debian-security", ("bookworm/updates",)),
    ]
    assert [s.suites for s in sources_for_release(parsed.records, "bullseye")] == [("bullseye",)]
    assert sources_for_release(parsed.records, "trixie") == []


def test_pasted_deb822_and_paths(tmp_path: Path) -> None:
    stanza = (
        "Types: deb\nURIs: http://127.0.0.1/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\n"
    )
    [source] = parse_apt_sources_text(stanza, origin="pasted").records
    assert source.suites == ("bookworm", "bookworm-updates")
    deb822 = tmp_path / "mirror.sources"
    deb822.write_text(stanza, encoding="utf-8")
    one_line = tmp_path / "mirror.list"
    one_line.write_text("deb http://127.0.0.1/debian bookworm main\n", encoding="utf-8")
    apt = tmp_path / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    (apt / "sources.list.d" / "mirror.sources").write_text(stanza, encoding="utf-8")
    assert [s.suites for s in read_apt_sources_path(deb822).records] == [
        ("bookworm", "bookworm-updates")
    ]
    assert [s.suites for s in read_apt_sources_path(one_line).records] == [("bookworm",)]
    assert [s.suites for s in read_apt_sources_path(apt).records] == [
        ("bookworm", "bookworm-updates")
    ]
