"""The typed settings loader: defaults, precedence and one clear error per broken setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchdesk.desk.config import ConfigError, load_config


def test_defaults_need_no_services(tmp_path: Path) -> None:
    config = load_config({"HOME": str(tmp_path)})
    assert config.data_dir == tmp_path / ".local" / "share" / "patchdesk"
    assert config.database.vendor == "sqlite"
    assert config.database.name == str(config.data_dir / "patchdesk.sqlite3")
    assert config.jobs_backend == "database"
    assert config.is_embedded
    assert config.email.transport == "console"
    assert config.time_zone == "Asia/Tokyo"
    assert config.languages == ("ja", "en")
    assert config.language_code == "ja"
    assert (config.listen_host, config.listen_port) == ("127.0.0.1", 8000)
    assert config.base_url == "http://127.0.0.1:8000"


def test_postgresql_and_redis_switch_the_backends(tmp_path: Path) -> None:
    config = load_config(
        {
            "PATCHDESK_DATA_DIR": str(tmp_path),
            "PATCHDESK_DATABASE_URL": "postgresql://pd:s%40cret@db.internal:6543/patchdesk?sslmode=require",
            "PATCHDESK_REDIS_URL": "redis://127.0.0.1:6379/2",
        }
    )
    db = config.database
    assert (db.vendor, db.name, db.user, db.password) == ("postgresql", "patchdesk", "pd", "s@cret")
    assert (db.host, db.port, dict(db.options)) == ("db.internal", 6543, {"sslmode": "require"})
    assert "s@cret" not in repr(db)
    assert "s@cret" not in db.display
    assert config.jobs_backend == "redis"
    assert not config.is_embedded


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    file = tmp_path / "patchdesk.toml"
    file.write_text(
        'time_zone = "UTC"\nlanguages = ["en", "ja"]\nallowed_hosts = ["desk.example.jp"]\n'
        'listen = "0.0.0.0:9000"\ndebug = true\n',
        encoding="utf-8",
    )
    config = load_config(
        {"PATCHDESK_CONFIG": str(file), "PATCHDESK_TIME_ZONE": "Asia/Tokyo", "HOME": str(tmp_path)}
    )
    assert config.time_zone == "Asia/Tokyo"
    assert config.languages == ("en", "ja")
    assert config.language_code == "en"
    assert config.allowed_hosts == ("desk.example.jp",)
    assert (config.listen_host, config.listen_port) == ("0.0.0.0", 9000)
    assert config.base_url == "http://127.0.0.1:9000"
    assert config.debug is True
    assert config.config_file == file


def test_smtp_mail_url(tmp_path: Path) -> None:
    config = load_config(
        {"HOME": str(tmp_path), "PATCHDESK_EMAIL_URL": "smtp+starttls://bot:pw@mail.example.jp"}
    )
    assert config.email.transport == "smtp"
    assert (config.email.host, config.email.port, config.email.security) == (
        "mail.example.jp",
        587,
        "starttls",
    )
    assert (config.email.user, config.email.password) == ("bot", "pw")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PATCHDESK_DATABASE_URL", "mysql://db/x", "unsupported scheme 'mysql'"),
        ("PATCHDESK_DATABASE_URL", "postgresql://db:notaport/x", "not a valid URL"),
        ("PATCHDESK_DATABASE_URL", "postgresql://db:5432/", "must name one database"),
        ("PATCHDESK_DATABASE_URL", "sqlite://", "names no file"),
        ("PATCHDESK_REDIS_URL", "http://127.0.0.1:6379", "use redis://"),
        ("PATCHDESK_LANGUAGES", "ja,fr", "unknown language 'fr'"),
        ("PATCHDESK_LANGUAGES", "ja,ja", "names a language twice"),
        ("PATCHDESK_LANGUAGE_CODE", "en", "not one of the languages ja"),
        ("PATCHDESK_TIME_ZONE", "Mars/Olympus", "unknown time zone"),
        ("PATCHDESK_LISTEN", "8000", "expected HOST:PORT"),
        ("PATCHDESK_LISTEN", "127.0.0.1:99999", "port must be 1-65535"),
        ("PATCHDESK_DEBUG", "maybe", "expected true or false"),
        ("PATCHDESK_SECRET_KEY", "short", "at least 32 characters"),
        ("PATCHDESK_ENCRYPTION_KEYS", "not-base64!", "32 url-safe base64-encoded bytes"),
        ("PATCHDESK_ENCRYPTION_KEYS", "c2hvcnQ=", "32 url-safe base64-encoded bytes"),
        ("PATCHDESK_EMAIL_URL", "pigeon://coop", "unsupported scheme 'pigeon'"),
        ("PATCHDESK_BASE_URL", "desk.example.jp", "expected an http(s) URL"),
        ("PATCHDESK_LOG_LEVEL", "LOUD", "not one of DEBUG"),
        ("PATCHDESK_DATABSE_URL", "sqlite:///x", "did you mean PATCHDESK_DATABASE_URL?"),
    ],
)
def test_a_broken_setting_names_itself(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    env = {"HOME": str(tmp_path), variable: value}
    if variable == "PATCHDESK_LANGUAGE_CODE":
        env["PATCHDESK_LANGUAGES"] = "ja"
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    assert caught.value.setting == variable
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_and_mistyped_keys_in_the_file(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('timezone = "UTC"\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"timezone: unknown setting \(did you mean time_zone\?\)"
    ):
        load_config({"PATCHDESK_CONFIG": str(file)})
    file.write_text("debug = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="debug: expected a string, got int"):
        load_config({"PATCHDESK_CONFIG": str(file)})
    file.write_text("debug = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config({"PATCHDESK_CONFIG": str(file)})
    with pytest.raises(ConfigError, match="does not exist"):
        load_config({"PATCHDESK_CONFIG": str(tmp_path / "missing.toml")})


def test_periodic_intervals(tmp_path: Path) -> None:
    defaults = load_config({"HOME": str(tmp_path)})
    assert (defaults.feed_sync_interval_s, defaults.fleet_rescan_interval_s) == (21600, 86400)
    file = tmp_path / "patchdesk.toml"
    file.write_text('feed_sync_interval = 7200\nfleet_rescan_interval = "2d"\n', encoding="utf-8")
    config = load_config({"PATCHDESK_CONFIG": str(file), "HOME": str(tmp_path)})
    assert (config.feed_sync_interval_s, config.fleet_rescan_interval_s) == (7200, 172800)
    env = {"HOME": str(tmp_path), "PATCHDESK_FEED_SYNC_INTERVAL": "90m"}
    assert load_config(env).feed_sync_interval_s == 5400
    for value, expected in (("soon", "a duration like 6h"), ("1m", "between 5 minutes")):
        with pytest.raises(ConfigError, match=expected) as caught:
            load_config({"HOME": str(tmp_path), "PATCHDESK_FLEET_RESCAN_INTERVAL": value})
        assert caught.value.setting == "PATCHDESK_FLEET_RESCAN_INTERVAL"
