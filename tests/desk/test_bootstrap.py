"""Start-up checks: unwritable data directories and unreachable services stop early."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from patchdesk.desk.bootstrap import (
    data_dir_prepare,
    secret_key_ensure,
    secret_key_read,
    services_check,
)
from patchdesk.desk.config import ConfigError, load_config


def test_data_dir_and_secret_key_are_created_private(tmp_path: Path) -> None:
    config = load_config({"PATCHDESK_DATA_DIR": str(tmp_path / "data")})
    data_dir_prepare(config)
    secret_key_ensure(config)
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = secret_key_read(config)
    secret_key_ensure(config)  # a second start keeps the key
    assert secret_key_read(config) == key
    assert len(key) >= 32


def test_data_dir_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    config = load_config({"PATCHDESK_DATA_DIR": str(blocker / "data")})
    with pytest.raises(
        ConfigError, match=r"PATCHDESK_DATA_DIR: .* is not writable: Not a directory"
    ):
        data_dir_prepare(config)
    config = load_config({"PATCHDESK_DATA_DIR": str(blocker)})
    with pytest.raises(ConfigError, match="exists and is not a directory"):
        data_dir_prepare(config)


def test_missing_secret_key_says_what_to_run(tmp_path: Path) -> None:
    config = load_config({"PATCHDESK_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="run `patchdesk init` first"):
        secret_key_read(config)


def test_unreachable_postgresql_and_redis_are_named(tmp_path: Path) -> None:
    config = load_config(
        {
            "PATCHDESK_DATA_DIR": str(tmp_path),
            "PATCHDESK_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/patchdesk",
        }
    )
    with pytest.raises(
        ConfigError, match=r"PATCHDESK_DATABASE_URL: cannot connect to postgresql://"
    ):
        services_check(config)
    config = load_config(
        {"PATCHDESK_DATA_DIR": str(tmp_path), "PATCHDESK_REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    with pytest.raises(ConfigError, match="PATCHDESK_REDIS_URL: cannot reach Redis"):
        services_check(config)


def test_encryption_key_is_generated_private_and_read_back(tmp_path: Path) -> None:
    from patchdesk.desk.bootstrap import encryption_keys_read

    config = load_config({"PATCHDESK_DATA_DIR": str(tmp_path)})
    data_dir_prepare(config)
    secret_key_ensure(config)
    key_file = tmp_path / "encryption_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    (key,) = encryption_keys_read(config)
    secret_key_ensure(config)
    assert encryption_keys_read(config) == (key,)
