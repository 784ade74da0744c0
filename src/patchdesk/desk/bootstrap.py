"""Start-up checks and first-run preparation, before Django is set up.

Order matters so that a broken setting leaves nothing half-created: the configuration is parsed
(:func:`patchdesk.desk.config.load_config`), then the external services are checked (nothing is
created yet), and only then is the data directory made and the secret key written.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from patchdesk.desk.config import Config, ConfigError

__all__ = [
    "SECRET_KEY_FILE",
    "data_dir_prepare",
    "encryption_keys_read",
    "secret_key_ensure",
    "secret_key_read",
    "services_check",
]

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
ENCRYPTION_KEY_FILE = "encryption_key"
_SERVICE_TIMEOUT_S = 5


def services_check(config: Config) -> None:
    """Reach PostgreSQL and Redis when configured; raise :class:`ConfigError` if unreachable."""
    if config.database.vendor == "postgresql":
        _postgresql_check(config)
    if config.redis_url:
        _redis_check(config.redis_url)


def _postgresql_check(config: Config) -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    db = config.database
    conninfo = make_conninfo(
        "",
        dbname=db.name,
        user=db.user or None,
        password=db.password or None,
        host=db.host or None,
        port=db.port,
        **dict(db.options),
    )
    try:
        connection = psycopg.connect(conninfo, connect_timeout=_SERVICE_TIMEOUT_S)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            "PATCHDESK_DATABASE_URL", f"cannot connect to {db.display}: {reason}"
        ) from None
    connection.close()


def _redis_check(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=_SERVICE_TIMEOUT_S, socket_timeout=_SERVICE_TIMEOUT_S
        )
        client.ping()
        client.close()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError("PATCHDESK_REDIS_URL", f"cannot reach Redis: {exc}") from None


def data_dir_prepare(config: Config) -> None:
    """Create the data directory if needed and prove it is writable."""
    origin = "PATCHDESK_DATA_DIR"
    path = config.data_dir
    if path.exists() and not path.is_dir():
        raise ConfigError(origin, f"{path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o750)
        (path / "static").mkdir(exist_ok=True)  # STATIC_ROOT, for `patchdesk manage collectstatic`
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise ConfigError(origin, f"{path} is not writable: {exc.strerror}") from None
    if config.database.vendor == "sqlite":
        db_dir = Path(config.database.name).parent
        if not db_dir.is_dir() or not os.access(db_dir, os.W_OK):
            raise ConfigError("PATCHDESK_DATABASE_URL", f"directory {db_dir} is not writable")


def secret_key_ensure(config: Config) -> None:
    """Write random keys to the data directory unless configured or present.

    The secret key signs sessions; the encryption key protects credentials and passphrases
    at rest. Back both up with the database: without the encryption key the stored
    credentials cannot be read.
    """
    if not config.secret_key:
        _write_new_key(config.data_dir / SECRET_KEY_FILE, secrets.token_urlsafe(50))
    if not config.encryption_keys:
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
        _write_new_key(config.data_dir / ENCRYPTION_KEY_FILE, key)


def _write_new_key(path: Path, key: str) -> None:
    # O_EXCL: two processes starting at once keep the first key; 0600: only this user reads it.
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")


def _read_key(path: Path, setting: str) -> str:
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(
            setting, f"not set and {path} does not exist (run `patchdesk init` first)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(setting, f"cannot read {path}: {exc}") from None
    if len(key) < 32:
        raise ConfigError(setting, f"{path} holds no usable key (too short)")
    return key


def secret_key_read(config: Config) -> str:
    """The generated secret key; raise :class:`ConfigError` if ``patchdesk init`` never ran."""
    return _read_key(config.data_dir / SECRET_KEY_FILE, "PATCHDESK_SECRET_KEY")


def encryption_keys_read(config: Config) -> tuple[str, ...]:
    """The configured encryption keys, or the generated one."""
    if config.encryption_keys:
        return config.encryption_keys
    return (_read_key(config.data_dir / ENCRYPTION_KEY_FILE, "PATCHDESK_ENCRYPTION_KEYS"),)
