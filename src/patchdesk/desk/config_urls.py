"""Parsers of the URL-like settings: database, Redis, mail, listen address, base URL."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from patchdesk.desk.config_types import ConfigError, DatabaseConfig, EmailConfig, Raw, as_str

__all__ = [
    "parse_base_url",
    "parse_database_url",
    "parse_email_url",
    "parse_listen",
    "parse_redis_url",
]


def parse_database_url(raw: Raw | None, data_dir: Path) -> DatabaseConfig:
    if raw is None:
        return DatabaseConfig(vendor="sqlite", name=str(data_dir / "patchdesk.sqlite3"))
    text = as_str(raw)
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


def parse_redis_url(raw: Raw | None) -> str | None:
    if raw is None:
        return None
    text = as_str(raw)
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


def parse_email_url(raw: Raw | None, data_dir: Path) -> EmailConfig:
    if raw is None:
        return EmailConfig(transport="console")
    text = as_str(raw)
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


def parse_listen(raw: Raw | None) -> tuple[str, int]:
    if raw is None:
        return "127.0.0.1", 8000
    text = as_str(raw)
    host, sep, port_text = text.rpartition(":")
    if not sep or not host:
        raise ConfigError(raw.origin, f"expected HOST:PORT, got {text!r}")
    host = host.removeprefix("[").removesuffix("]")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(raw.origin, f"port must be 1-65535, got {port_text!r}")
    return host, int(port_text)


def parse_base_url(raw: Raw | None, listen_host: str, listen_port: int) -> str:
    if raw is None:
        host = f"[{listen_host}]" if ":" in listen_host else listen_host
        if host in {"0.0.0.0", "[::]"}:  # noqa: S104 - only a display default
            host = "127.0.0.1"
        return f"http://{host}:{listen_port}"
    text = as_str(raw).rstrip("/")
    url = urlsplit(text)
    if url.scheme not in {"http", "https"} or not url.netloc:
        raise ConfigError(raw.origin, f"expected an http(s) URL, got {text!r}")
    return text
