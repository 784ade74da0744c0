"""The one typed settings loader: ``PATCHDESK_*`` environment variables and an optional TOML file.

Everything the desk can be configured with is read, validated and typed here, before Django
starts, so that a broken setting stops start-up with one line naming the setting and what is
wrong. The loader only reads; it never creates files or connects anywhere (see
:mod:`patchdesk.desk.bootstrap` for the checks that touch the outside world).

Precedence: environment variable, then the TOML file named by ``PATCHDESK_CONFIG``, then the
default. Keys in the file are the variable names without the prefix, lower-cased
(``PATCHDESK_DATABASE_URL`` → ``database_url``).
"""

from __future__ import annotations

import base64
import difflib
import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from patchdesk.desk.config_types import ConfigError, DatabaseConfig, EmailConfig, Raw, as_str
from patchdesk.desk.config_urls import (
    parse_base_url,
    parse_database_url,
    parse_email_url,
    parse_listen,
    parse_redis_url,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "EmailConfig",
    "load_config",
]

ENV_PREFIX = "PATCHDESK_"
CONFIG_FILE_VARIABLE = "PATCHDESK_CONFIG"
SUPPORTED_LANGUAGES = ("ja", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The validated settings of one patchdesk installation."""

    data_dir: Path
    database: DatabaseConfig
    redis_url: str | None
    secret_key: str | None = field(repr=False)
    encryption_keys: tuple[str, ...] = field(repr=False)
    debug: bool
    allowed_hosts: tuple[str, ...]
    time_zone: str
    languages: tuple[str, ...]
    language_code: str
    email: EmailConfig
    default_from_email: str
    listen_host: str
    listen_port: int
    base_url: str
    log_level: str
    starter_snapshot: bool
    feed_sync_interval_s: int = 6 * 3600
    fleet_rescan_interval_s: int = 24 * 3600
    config_file: Path | None

    @property
    def jobs_backend(self) -> Literal["database", "redis"]:
        return "redis" if self.redis_url else "database"

    @property
    def is_embedded(self) -> bool:
        """True when nothing outside the data directory is needed (SQLite and database jobs)."""
        return self.database.vendor == "sqlite" and self.redis_url is None


# --- the settings and their parsers -------------------------------------------------------


_KNOWN_KEYS = (
    "data_dir",
    "database_url",
    "redis_url",
    "secret_key",
    "encryption_keys",
    "debug",
    "allowed_hosts",
    "time_zone",
    "languages",
    "language_code",
    "email_url",
    "default_from_email",
    "listen",
    "base_url",
    "log_level",
    "starter_snapshot",
    "feed_sync_interval",
    "fleet_rescan_interval",
)


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Read, validate and type every setting. Raises :class:`ConfigError` on the first problem."""
    env = os.environ if environ is None else environ
    raw, config_file = _collect(env)

    data_dir = _parse_data_dir(raw.get("data_dir"), env)
    languages = _parse_languages(raw.get("languages"))
    listen_host, listen_port = parse_listen(raw.get("listen"))
    return Config(
        data_dir=data_dir,
        database=parse_database_url(raw.get("database_url"), data_dir),
        redis_url=parse_redis_url(raw.get("redis_url")),
        secret_key=_parse_secret_key(raw.get("secret_key")),
        encryption_keys=_parse_encryption_keys(raw.get("encryption_keys")),
        debug=_parse_bool(raw.get("debug"), default=False),
        allowed_hosts=_parse_list(raw.get("allowed_hosts"), default=("127.0.0.1", "localhost")),
        time_zone=_parse_time_zone(raw.get("time_zone")),
        languages=languages,
        language_code=_parse_language_code(raw.get("language_code"), languages),
        email=parse_email_url(raw.get("email_url"), data_dir),
        default_from_email=_parse_str(raw.get("default_from_email"), "patchdesk@localhost"),
        listen_host=listen_host,
        listen_port=listen_port,
        base_url=parse_base_url(raw.get("base_url"), listen_host, listen_port),
        log_level=_parse_choice(raw.get("log_level"), LOG_LEVELS, "INFO", upper=True),
        starter_snapshot=_parse_bool(raw.get("starter_snapshot"), default=True),
        feed_sync_interval_s=_parse_interval(raw.get("feed_sync_interval"), default=6 * 3600),
        fleet_rescan_interval_s=_parse_interval(
            raw.get("fleet_rescan_interval"), default=24 * 3600
        ),
        config_file=config_file,
    )


def _collect(env: Mapping[str, str]) -> tuple[dict[str, Raw], Path | None]:
    raw: dict[str, Raw] = {}
    config_file: Path | None = None
    file_name = env.get(CONFIG_FILE_VARIABLE, "").strip()
    if file_name:
        config_file = Path(file_name).expanduser()
        for key, value in _read_toml(config_file).items():
            if key not in _KNOWN_KEYS:
                raise ConfigError(f"{config_file}: {key}", _unknown_hint(key, _KNOWN_KEYS))
            raw[key] = Raw(value, f"{config_file}: {key}")
    known_variables = {ENV_PREFIX + key.upper() for key in _KNOWN_KEYS} | {CONFIG_FILE_VARIABLE}
    for variable, value in env.items():
        if not variable.startswith(ENV_PREFIX):
            continue
        if variable not in known_variables:
            raise ConfigError(variable, _unknown_hint(variable, sorted(known_variables)))
        if variable != CONFIG_FILE_VARIABLE:
            raw[variable.removeprefix(ENV_PREFIX).lower()] = Raw(value, variable)
    return raw, config_file


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(CONFIG_FILE_VARIABLE, f"file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(CONFIG_FILE_VARIABLE, f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(CONFIG_FILE_VARIABLE, f"{path} is not valid TOML: {exc}") from None


def _unknown_hint(name: str, known: object) -> str:
    candidates = [str(k) for k in known] if isinstance(known, list | tuple) else []
    close = difflib.get_close_matches(name, candidates, n=1)
    return "unknown setting" + (f" (did you mean {close[0]}?)" if close else "")


def _parse_str(raw: Raw | None, default: str) -> str:
    return default if raw is None else (as_str(raw) or default)


def _parse_bool(raw: Raw | None, *, default: bool) -> bool:
    if raw is None:
        return default
    if isinstance(raw.value, bool):
        return raw.value
    text = as_str(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(raw.origin, f"expected true or false, got {text!r}")


def _parse_list(raw: Raw | None, *, default: tuple[str, ...]) -> tuple[str, ...]:
    if raw is None:
        return default
    if isinstance(raw.value, list):
        items = [str(item).strip() for item in raw.value]
    else:
        items = [part.strip() for part in as_str(raw).split(",")]
    items = [item for item in items if item]
    if not items:
        raise ConfigError(raw.origin, "must name at least one value")
    return tuple(items)


_INTERVAL = re.compile(r"(\d+)\s*([smhd]?)", re.IGNORECASE)
_INTERVAL_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_S = 300
MAX_INTERVAL_S = 30 * 86400


def _parse_interval(raw: Raw | None, *, default: int) -> int:
    """How often a periodic job runs: ``6h``, ``90m``, ``1d``, or seconds (``21600``, a TOML
    integer too); between 5 minutes and 30 days."""
    if raw is None:
        return default
    if isinstance(raw.value, int) and not isinstance(raw.value, bool):
        seconds = raw.value
    else:
        match = _INTERVAL.fullmatch(as_str(raw))
        if match is None:
            raise ConfigError(
                raw.origin, f"expected a duration like 6h, 90m or 1d, got {raw.value!r}"
            )
        seconds = int(match.group(1)) * _INTERVAL_UNIT_S[match.group(2).lower()]
    if not MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S:
        raise ConfigError(raw.origin, "must be between 5 minutes (5m) and 30 days (30d)")
    return seconds


def _parse_choice(
    raw: Raw | None, choices: tuple[str, ...], default: str, *, upper: bool = False
) -> str:
    if raw is None:
        return default
    text = as_str(raw)
    text = text.upper() if upper else text
    if text not in choices:
        raise ConfigError(raw.origin, f"{text!r} is not one of {', '.join(choices)}")
    return text


def _parse_data_dir(raw: Raw | None, env: Mapping[str, str]) -> Path:
    if raw is not None:
        text = as_str(raw)
        if not text:
            raise ConfigError(raw.origin, "must not be empty")
        return Path(text).expanduser().absolute()
    xdg = env.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg else Path(env.get("HOME", "/var/lib")) / ".local" / "share"
    return (base / "patchdesk").absolute()


def _parse_secret_key(raw: Raw | None) -> str | None:
    if raw is None:
        return None
    text = as_str(raw)
    if len(text) < 32:
        raise ConfigError(raw.origin, "must be at least 32 characters (or unset to generate one)")
    return text


def _parse_encryption_keys(raw: Raw | None) -> tuple[str, ...]:
    """Fernet keys (the first encrypts; all decrypt, for rotation). Empty: generated."""
    if raw is None:
        return ()
    keys = _parse_list(raw, default=())
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            decoded = b""
        if len(decoded) != 32:
            raise ConfigError(
                raw.origin,
                "each key must be 32 url-safe base64-encoded bytes "
                "(make one with `patchdesk config new-key`)",
            )
    return keys


def _parse_time_zone(raw: Raw | None) -> str:
    if raw is None:
        return "Asia/Tokyo"
    text = as_str(raw)
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(raw.origin, f"unknown time zone {text!r} (e.g. Asia/Tokyo)") from None
    return text


def _parse_languages(raw: Raw | None) -> tuple[str, ...]:
    languages = _parse_list(raw, default=SUPPORTED_LANGUAGES)
    for code in languages:
        if code not in SUPPORTED_LANGUAGES:
            assert raw is not None
            supported = ", ".join(SUPPORTED_LANGUAGES)
            raise ConfigError(raw.origin, f"unknown language {code!r} (supported: {supported})")
    if len(set(languages)) != len(languages):
        assert raw is not None
        raise ConfigError(raw.origin, "names a language twice")
    return languages


def _parse_language_code(raw: Raw | None, languages: tuple[str, ...]) -> str:
    if raw is None:
        return languages[0]
    code = as_str(raw)
    if code not in languages:
        raise ConfigError(
            raw.origin, f"{code!r} is not one of the languages {', '.join(languages)}"
        )
    return code
