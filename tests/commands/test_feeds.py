"""``patchdesk feeds`` with real files: import, re-import, bad files, reports, sources."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from patchdesk_testing.paths import shared_data
from patchdesk_testing.processes import cli_env, run_cli

DATA = shared_data()


def _count(data: Path, sql: str) -> int:
    with sqlite3.connect(data / "patchdesk.sqlite3") as db:
        return int(db.execute(sql).fetchone()[0])


def test_import_real_files_then_again_changes_nothing(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    files = [
        str(DATA / "almalinux-osv" / "samples-almalinux9"),
        str(DATA / "nvd-cve5-samples" / "cve-json5" / "CVE-2024-3094.json"),
        str(DATA / "cisa-kev" / "known_exploited_vulnerabilities.json"),
        str(DATA / "redhat-csaf-samples" / "cve-2024-0727-openssl.json.gz"),
    ]
    first = run_cli("feeds", "import", *files, env=env, timeout_s=300)
    assert first.returncode == 0, first.stderr
    assert "samples-almalinux9: succeeded — added 11" in first.stdout
    assert "known_exploited_vulnerabilities.json: succeeded — added 0, changed 1404" in first.stdout
    advisories = _count(tmp_path, "SELECT COUNT(*) FROM advisories_advisory")
    affected = _count(tmp_path, "SELECT COUNT(*) FROM advisories_affectedpackage")
    assert advisories >= 11
    openssh = _count(
        tmp_path,
        "SELECT COUNT(*) FROM advisories_affectedpackage WHERE platform_key='almalinux:9' "
        "AND package='openssh' AND fixed_version='8.7p1-38.el9_4.1'",
    )
    assert openssh == 1
    second = run_cli("feeds", "import", *files, env=env, timeout_s=300)
    assert second.returncode == 0, second.stderr
    assert "added 0, changed 0" in second.stdout
    assert "added 0, changed 0, unchanged 1404" in second.stdout
    assert _count(tmp_path, "SELECT COUNT(*) FROM advisories_advisory") == advisories
    assert _count(tmp_path, "SELECT COUNT(*) FROM advisories_affectedpackage") == affected
    report = run_cli("feeds", "report", env=env)
    assert "import succeeded" in report.stdout


def test_broken_files_are_refused_clearly_and_change_nothing(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"not": "a feed"}', encoding="utf-8")
    unknown = run_cli("feeds", "import", str(garbage), env=env)
    assert unknown.returncode == 1
    assert "cannot tell the format" in unknown.stderr
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        '{"id": "ALSA-1", "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "x"}, '
        '"ranges": [{"type": "ECOSYSTEM", '
        '"events": [{"introduced": "0"}, {"fixed": "1.0-1.el9"}]}]}], '
        '"modified": "2024-01-01T00:00:00Z"}\n'
        "{truncated\n"
        '{"id": "ALSA-2", "affected": [{"package": {"ecosystem": "Plan9:1", "name": "y"}}], '
        '"modified": "2024-01-01T00:00:00Z"}\n',
        encoding="utf-8",
    )
    partial = run_cli("feeds", "import", "--kind", "osv", str(broken), env=env)
    assert "added 1" in partial.stdout
    assert "rejected 3" in partial.stdout  # line 2, and ALSA-2 (its entry, then itself)
    assert "rejected ALSA-2:" in partial.stderr
    assert _count(tmp_path, "SELECT COUNT(*) FROM advisories_advisory") == 1


def test_sources_can_be_listed_enabled_and_synced_from_a_local_copy(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    listed = run_cli("feeds", "sources", env=env)
    assert "disabled  almalinux-osv" in listed.stdout
    kev = DATA / "cisa-kev" / "known_exploited_vulnerabilities.json"
    enabled = run_cli("feeds", "enable", "kev", "--url", kev.as_uri(), env=env)
    assert enabled.returncode == 0, enabled.stderr
    synced = run_cli("feeds", "sync", "kev", env=env)
    assert synced.returncode == 0, synced.stderr
    assert "kev: succeeded" in synced.stdout
    assert (
        _count(
            tmp_path, "SELECT COUNT(*) FROM advisories_vulnerability WHERE kev_added_on IS NOT NULL"
        )
        == 1404
    )
    unknown = run_cli("feeds", "sync", "nope", env=env)
    assert unknown.returncode == 1
    assert "no feed source named 'nope'" in unknown.stderr


def test_a_file_with_only_rejected_records_or_none_imports_without_a_traceback(
    tmp_path: Path,
) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    record = (DATA / "debian-osv-samples" / "DSA-3029-1.json").read_text(encoding="utf-8")
    unknown = tmp_path / "unknown.json"
    unknown.write_text(record.replace('"Debian:7"', '"Plan9:4"'), encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = run_cli("feeds", "import", "--kind", "osv", str(unknown), str(empty), env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "import failed" not in result.stderr
    assert "unknown.json: succeeded — added 0, changed 0, unchanged 0, rejected 2" in result.stdout
    assert "empty.jsonl: succeeded — added 0, changed 0, unchanged 0, rejected 0" in result.stdout
    assert "rejected DSA-3029-1: unsupported ecosystem 'Plan9:4'" in result.stderr
    report = run_cli("feeds", "report", "import-osv", env=env)
    assert "DSA-3029-1: unsupported ecosystem 'Plan9:4'" in report.stdout
    assert "failed" not in report.stdout
    assert _count(tmp_path, "SELECT COUNT(*) FROM advisories_advisory") == 0


def test_air_gapped_debian_from_the_command_line(tmp_path: Path) -> None:
    """An air-gapped server's inventory, then `feeds enable debian-mirror --sources-list` and
    `feeds sync debian-mirror` against a tiny mirror on loopback."""
    from datetime import UTC, datetime

    from patchdesk.engine.collect import write_inventory_document
    from patchdesk_testing.debian_repo import HOST, build_test_repository, served
    from patchdesk_testing.inventory import DEBIAN, host, pkg

    env = cli_env(tmp_path / "data")
    assert run_cli("init", env=env).returncode == 0
    created = run_cli(
        "manage",
        "shell",
        "-c",
        "from patchdesk.desk.customers.models import Customer\n"
        "from patchdesk.desk.fleet.services import server_create\n"
        "c = Customer.objects.create(name='Momiji Clinic', code='momiji')\n"
        "server_create(c, name='mail1', address='mail1.example.jp', actor=None)",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    document = tmp_path / "mail1.json"
    packages = [pkg(p.name, p.version, source=p.source_name) for p in HOST]
    write_inventory_document(
        document,
        [host(DEBIAN, *packages, target="ssh://mail1")],
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        generator="test",
    )
    imported = run_cli("inventory", "import", str(document), "--server", "momiji/mail1", env=env)
    assert imported.returncode == 0, imported.stderr
    repo = tmp_path / "repo"
    repo.mkdir()
    build_test_repository(repo)
    with served(repo) as url:
        sources = tmp_path / "mirror.list"
        sources.write_text(f"deb {url} bookworm main\ndeb {url} bookworm-security main\n")
        listed = run_cli("feeds", "sources", env=env)
        assert "disabled  debian-mirror" in listed.stdout
        enabled = run_cli(
            "feeds", "enable", "debian-mirror", "--sources-list", str(sources), env=env
        )
        assert enabled.returncode == 0, enabled.stderr
        assert "debian-mirror: enabled the mirror in its stored APT sources" in enabled.stdout
        synced = run_cli("feeds", "sync", "debian-mirror", env=env)
        assert synced.returncode == 0, synced.stderr
        assert "debian-mirror: succeeded — added 2, changed 0, unchanged 0, rejected 1" in (
            synced.stdout
        )
        assert "rejected pdtest-qux/1.1-1: checksum_mismatch" in synced.stderr
        again = run_cli("feeds", "sync", env=env)  # every enabled source
        assert again.returncode == 0, again.stderr
        assert "debian-mirror: succeeded — added 0, changed 0, unchanged 2" in again.stdout
    assert (
        _count(
            tmp_path / "data",
            "SELECT COUNT(*) FROM advisories_advisory WHERE source='debian-changelog' "
            "AND confidence='changelog'",
        )
        == 2
    )
    report = run_cli("feeds", "report", "debian-mirror", env=env)
    assert "debian-mirror sync succeeded: +2" in report.stdout
