"""Types shared by the settings loader and its value parsers (no Django)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ConfigError", "DatabaseConfig", "EmailConfig", "Raw", "as_str"]


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


@dataclass(frozen=True, slots=True)
class Raw:
    value: object
    origin: str  # what to name in an error: the variable, or "file.toml: key"


def as_str(raw: Raw) -> str:
    if not isinstance(raw.value, str):
        raise ConfigError(raw.origin, f"expected a string, got {type(raw.value).__name__}")
    return raw.value.strip()
