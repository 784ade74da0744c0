"""``patchdesk inventory import``: air-gapped servers' documents become scans and findings."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from patchdesk.engine.collect import write_inventory_document
from patchdesk_testing.inventory import DEBIAN, host, pkg
from patchdesk_testing.processes import cli_env, run_cli


def test_documents_become_scans_of_the_named_server(tmp_path: Path) -> None:
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
    write_inventory_document(
        document,
        [host(DEBIAN, pkg("bash", "5.2.15-2+b2", source_version="5.2.15-2"), target="ssh://mail1")],
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        generator="test",
    )
    missing = run_cli("inventory", "import", str(document), env=env)
    assert missing.returncode == 1
    assert "no server matches 'ssh://mail1'" in missing.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{", encoding="utf-8")
    broken = run_cli("inventory", "import", str(garbage), env=env)
    assert broken.returncode == 1
    assert "not JSON" in broken.stderr
    named = run_cli("inventory", "import", str(document), "--server", "momiji/mail1", env=env)
    assert named.returncode == 0, named.stderr
    assert "momiji/mail1: succeeded, 1 packages" in named.stdout
    with sqlite3.connect(tmp_path / "data" / "patchdesk.sqlite3") as db:
        assert db.execute("SELECT trigger, status FROM fleet_scan").fetchall() == [
            ("import", "succeeded")
        ]
        assert db.execute("SELECT name FROM fleet_installedpackage").fetchall() == [("bash",)]


def test_a_package_whose_version_does_not_parse_is_imported_with_a_warning(
    tmp_path: Path,
) -> None:
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
    write_inventory_document(
        document,
        [host(DEBIAN, pkg("bash", "5.2.15-2+b2"), pkg("zsh", "5.9-4"), target="ssh://mail1")],
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        generator="test",
    )
    data = json.loads(document.read_text(encoding="utf-8"))
    data["hosts"][0]["packages"][1]["version"] = "1:"
    document.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("inventory", "import", str(document), "--server", "momiji/mail1", env=env)
    assert result.returncode == 0, result.stderr
    assert "momiji/mail1: succeeded, 2 packages, 1 warnings" in result.stdout
    assert "1 package version(s) do not parse" in result.stderr
    assert "hosts[0].packages[1].version: invalid dpkg version '1:'" in result.stderr
    with sqlite3.connect(tmp_path / "data" / "patchdesk.sqlite3") as db:
        assert db.execute("SELECT warning_count FROM fleet_scan").fetchall() == [(1,)]
        assert sorted(db.execute("SELECT name, version FROM fleet_installedpackage")) == [
            ("bash", "5.2.15-2+b2"),
            ("zsh", "1:"),
        ]
