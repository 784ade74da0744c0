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
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

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


class ConfigError(Exception):
    """A setting is missing, malformed or unusable. ``str()`` is one line for the operator."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseConfig:
    """Where the desk keeps its data: an embedded SQLite file or a PostgreSQL server."""

    vendor: Literal["sqlite", "postgresql"]
    name: str
    user: str = ""
    password: str = field(default="", repr=False)
    host: str = ""
    port: int | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The location without the password, for messages and logs."""
        if self.vendor == "sqlite":
            return f"sqlite:///{self.name}"
        where = self.host or "local socket"
        port = f":{self.port}" if self.port else ""
        user = f"{self.user}@" if self.user else ""
        return f"postgresql://{user}{where}{port}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailConfig:
    """How mail leaves the desk: printed to the console, written to files, or sent over SMTP."""

    transport: Literal["console", "file", "smtp"]
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = field(default="", repr=False)
    security: Literal["none", "starttls", "tls"] = "none"
    file_path: str = ""
    timeout_s: int = 30


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
)


@dataclass(frozen=True, slots=True)
class _Raw:
    value: object
    origin: str  # what to name in an error: the variable, or "file.toml: key"


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Read, validate and type every setting. Raises :class:`ConfigError` on the first problem."""
    env = os.environ if environ is None else environ
    raw, config_file = _collect(env)

    data_dir = _parse_data_dir(raw.get("data_dir"), env)
    languages = _parse_languages(raw.get("languages"))
    listen_host, listen_port = _parse_listen(raw.get("listen"))
    return Config(
        data_dir=data_dir,
        database=_parse_database_url(raw.get("database_url"), data_dir),
        redis_url=_parse_redis_url(raw.get("redis_url")),
        secret_key=_parse_secret_key(raw.get("secret_key")),
        encryption_keys=_parse_encryption_keys(raw.get("encryption_keys")),
        debug=_parse_bool(raw.get("debug"), default=False),
        allowed_hosts=_parse_list(raw.get("allowed_hosts"), default=("127.0.0.1", "localhost")),
        time_zone=_parse_time_zone(raw.get("time_zone")),
        languages=languages,
        language_code=_parse_language_code(raw.get("language_code"), languages),
        email=_parse_email_url(raw.get("email_url"), data_dir),
        default_from_email=_parse_str(raw.get("default_from_email"), "patchdesk@localhost"),
        listen_host=listen_host,
        listen_port=listen_port,
        base_url=_parse_base_url(raw.get("base_url"), listen_host, listen_port),
        log_level=_parse_choice(raw.get("log_level"), LOG_LEVELS, "INFO", upper=True),
        starter_snapshot=_parse_bool(raw.get("starter_snapshot"), default=True),
        config_file=config_file,
    )


def _collect(env: Mapping[str, str]) -> tuple[dict[str, _Raw], Path | None]:
    raw: dict[str, _Raw] = {}
    config_file: Path | None = None
    file_name = env.get(CONFIG_FILE_VARIABLE, "").strip()
    if file_name:
        config_file = Path(file_name).expanduser()
        for key, value in _read_toml(config_file).items():
            if key not in _KNOWN_KEYS:
                raise ConfigError(f"{config_file}: {key}", _unknown_hint(key, _KNOWN_KEYS))
            raw[key] = _Raw(value, f"{config_file}: {key}")
    known_variables = {ENV_PREFIX + key.upper() for key in _KNOWN_KEYS} | {CONFIG_FILE_VARIABLE}
    for variable, value in env.items():
        if not variable.startswith(ENV_PREFIX):
            continue
        if variable not in known_variables:
            raise ConfigError(variable, _unknown_hint(variable, sorted(known_variables)))
        if variable != CONFIG_FILE_VARIABLE:
            raw[variable.removeprefix(ENV_PREFIX).lower()] = _Raw(value, variable)
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


def _as_str(raw: _Raw) -> str:
    if not isinstance(raw.value, str):
        raise ConfigError(raw.origin, f"expected a string, got {type(raw.value).__name__}")
    return raw.value.strip()


def _parse_str(raw: _Raw | None, default: str) -> str:
    return default if raw is None else (_as_str(raw) or default)


def _parse_bool(raw: _Raw | None, *, default: bool) -> bool:
    if raw is None:
        return default
    if isinstance(raw.value, bool):
        return raw.value
    text = _as_str(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(raw.origin, f"expected true or false, got {text!r}")


def _parse_list(raw: _Raw | None, *, default: tuple[str, ...]) -> tuple[str, ...]:
    if raw is None:
        return default
    if isinstance(raw.value, list):
        items = [str(item).strip() for item in raw.value]
    else:
        items = [part.strip() for part in _as_str(raw).split(",")]
    items = [item for item in items if item]
    if not items:
        raise ConfigError(raw.origin, "must name at least one value")
    return tuple(items)


def _parse_choice(
    raw: _Raw | None, choices: tuple[str, ...], default: str, *, upper: bool = False
) -> str:
    if raw is None:
        return default
    text = _as_str(raw)
    text = text.upper() if upper else text
    if text not in choices:
        raise ConfigError(raw.origin, f"{text!r} is not one of {', '.join(choices)}")
    return text


def _parse_data_dir(raw: _Raw | None, env: Mapping[str, str]) -> Path:
    if raw is not None:
        text = _as_str(raw)
        if not text:
            raise ConfigError(raw.origin, "must not be empty")
        return Path(text).expanduser().absolute()
    xdg = env.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg else Path(env.get("HOME", "/var/lib")) / ".local" / "share"
    return (base / "patchdesk").absolute()


def _parse_database_url(raw: _Raw | None, data_dir: Path) -> DatabaseConfig:
    if raw is None:
        return DatabaseConfig(vendor="sqlite", name=str(data_dir / "patchdesk.sqlite3"))
    text = _as_str(raw)
    try:
        url = urlsplit(text)
        port = url.port
    except ValueError as exc:
        raise ConfigError(raw.origin, f"not a valid URL: {exc}") from None
    scheme = url.scheme.lower()
    if scheme == "sqlite":
        if url.netloc:
            raise ConfigError(raw.origin, "use sqlite:///PATH (three slashes; four for /abs/path)")
        path = unquote(url.path).removeprefix("/")
        if not path:
            raise ConfigError(raw.origin, "sqlite URL names no file: use sqlite:///PATH")
        file_path = Path(path) if Path(path).is_absolute() else data_dir / path
        return DatabaseConfig(vendor="sqlite", name=str(file_path))
    if scheme in {"postgres", "postgresql", "postgresql+psycopg"}:
        options = dict(parse_qsl(url.query, keep_blank_values=False))
        name = unquote(url.path).removeprefix("/")
        if not name or "/" in name:
            raise ConfigError(raw.origin, "PostgreSQL URL must name one database: .../DBNAME")
        host = unquote(url.hostname or "") or options.pop("host", "")
        return DatabaseConfig(
            vendor="postgresql",
            name=name,
            user=unquote(url.username or ""),
            password=unquote(url.password or ""),
            host=host,
            port=port,
            options=options,
        )
    raise ConfigError(
        raw.origin,
        f"unsupported scheme {scheme or '(none)'!r}: use sqlite:///PATH or "
        "postgresql://USER@HOST:PORT/DBNAME",
    )


def _parse_redis_url(raw: _Raw | None) -> str | None:
    if raw is None:
        return None
    text = _as_str(raw)
    if not text:
        return None
    try:
        url = urlsplit(text)
        _ = url.port
    except ValueError as exc:
        raise ConfigError(raw.origin, f"not a valid URL: {exc}") from None
    if url.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(raw.origin, "use redis://HOST:PORT/DB, rediss://... or unix:///PATH")
    if url.scheme != "unix" and not url.hostname:
        raise ConfigError(raw.origin, "Redis URL names no host")
    return text


def _parse_secret_key(raw: _Raw | None) -> str | None:
    if raw is None:
        return None
    text = _as_str(raw)
    if len(text) < 32:
        raise ConfigError(raw.origin, "must be at least 32 characters (or unset to generate one)")
    return text


def _parse_encryption_keys(raw: _Raw | None) -> tuple[str, ...]:
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


def _parse_time_zone(raw: _Raw | None) -> str:
    if raw is None:
        return "Asia/Tokyo"
    text = _as_str(raw)
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(raw.origin, f"unknown time zone {text!r} (e.g. Asia/Tokyo)") from None
    return text


def _parse_languages(raw: _Raw | None) -> tuple[str, ...]:
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


def _parse_language_code(raw: _Raw | None, languages: tuple[str, ...]) -> str:
    if raw is None:
        return languages[0]
    code = _as_str(raw)
    if code not in languages:
        raise ConfigError(
            raw.origin, f"{code!r} is not one of the languages {', '.join(languages)}"
        )
    return code


def _parse_email_url(raw: _Raw | None, data_dir: Path) -> EmailConfig:
    if raw is None:
        return EmailConfig(transport="console")
    text = _as_str(raw)
    try:
        url = urlsplit(text)
        port = url.port
    except ValueError as exc:
        raise ConfigError(raw.origin, f"not a valid URL: {exc}") from None
    scheme = url.scheme.lower()
    if scheme == "console":
        return EmailConfig(transport="console")
    if scheme == "file":
        path = unquote(url.path) or str(data_dir / "mail")
        return EmailConfig(transport="file", file_path=path)
    security_by_scheme: dict[str, Literal["none", "starttls", "tls"]] = {
        "smtp": "none",
        "smtp+starttls": "starttls",
        "smtps": "tls",
    }
    if scheme not in security_by_scheme:
        raise ConfigError(
            raw.origin,
            f"unsupported scheme {scheme or '(none)'!r}: use console:, file:///DIR, "
            "smtp://HOST:PORT, smtp+starttls://... or smtps://...",
        )
    if not url.hostname:
        raise ConfigError(raw.origin, "SMTP URL names no host")
    security = security_by_scheme[scheme]
    options = dict(parse_qsl(url.query))
    try:
        timeout_s = int(options.get("timeout", "30"))
    except ValueError:
        raise ConfigError(raw.origin, "timeout must be a whole number of seconds") from None
    return EmailConfig(
        transport="smtp",
        host=url.hostname,
        port=port or (465 if security == "tls" else 25 if security == "none" else 587),
        user=unquote(url.username or ""),
        password=unquote(url.password or ""),
        security=security,
        timeout_s=timeout_s,
    )


def _parse_listen(raw: _Raw | None) -> tuple[str, int]:
    if raw is None:
        return "127.0.0.1", 8000
    text = _as_str(raw)
    host, sep, port_text = text.rpartition(":")
    if not sep or not host:
        raise ConfigError(raw.origin, f"expected HOST:PORT, got {text!r}")
    host = host.removeprefix("[").removesuffix("]")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(raw.origin, f"port must be 1-65535, got {port_text!r}")
    return host, int(port_text)


def _parse_base_url(raw: _Raw | None, listen_host: str, listen_port: int) -> str:
    if raw is None:
        host = f"[{listen_host}]" if ":" in listen_host else listen_host
        if host in {"0.0.0.0", "[::]"}:  # noqa: S104 - only a display default
            host = "127.0.0.1"
        return f"http://{host}:{listen_port}"
    text = _as_str(raw).rstrip("/")
    url = urlsplit(text)
    if url.scheme not in {"http", "https"} or not url.netloc:
        raise ConfigError(raw.origin, f"expected an http(s) URL, got {text!r}")
    return text
