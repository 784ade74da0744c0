"""Read and validate an inventory document (``patchdesk inventory import``, scan replays).

Every structural problem raises :class:`InventoryDocumentError` naming the place
(``hosts[2].packages[0].arch: expected a string``); nothing is half-read. A package version that
does not parse is not structural: the package is kept (the matcher reports it as *cannot
evaluate*) and its host gets one counted warning ``invalid_version`` naming each place.
Unknown keys are ignored (later additions), an unknown ``schema_version`` is refused.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final, TypeVar

from patchdesk.engine import versions
from patchdesk.engine.collect.document import SCHEMA, SCHEMA_VERSION, InventoryDocument
from patchdesk.engine.model.inventory import (
    CollectionWarning,
    HostInventory,
    HostKey,
    InstalledKernel,
    InstalledPackage,
    KernelInfo,
    OriginClass,
    OutOfScopeItem,
    OutOfScopeKind,
    PackageOrigin,
    RestartCheckMethod,
    RestartInfo,
    RpmDetails,
    ScanError,
    ScanErrorCode,
    ServiceRestart,
    TlsKey,
    TlsService,
    WebServer,
)
from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform

__all__ = ["InventoryDocumentError", "parse_inventory_document", "read_inventory_document"]

_MAX_STR: Final = 65_536
E = TypeVar("E", bound=enum.StrEnum)
T = TypeVar("T")


class InventoryDocumentError(ValueError):
    """The document is not a valid inventory document; ``str()`` is one line with the place."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        self.message = message


class _Obj:
    """A JSON object with its location, and typed getters that raise with that location."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise InventoryDocumentError(path, "expected an object")
        self.value: dict[str, object] = value
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str, *, required: bool = True) -> object:
        if key not in self.value and required:
            raise InventoryDocumentError(self.at(key), "missing")
        return self.value.get(key)

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.raw(key, required=required)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise InventoryDocumentError(self.at(key), "expected a string")
        if len(value) > _MAX_STR or "\0" in value:
            raise InventoryDocumentError(self.at(key), "string too long or with NUL")
        return value

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise InventoryDocumentError(self.at(key), "expected true or false")
        return value

    def opt_bool(self, key: str) -> bool | None:
        value = self.raw(key, required=False)
        if value is not None and not isinstance(value, bool):
            raise InventoryDocumentError(self.at(key), "expected true, false or null")
        return value

    def integer(self, key: str) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InventoryDocumentError(self.at(key), "expected an integer")
        return value

    def enum(self, key: str, kind: type[E]) -> E:
        text = self.text(key)
        try:
            return kind(text)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise InventoryDocumentError(
                self.at(key), f"unknown value {text!r} (expected one of: {allowed})"
            ) from None

    def time(self, key: str) -> datetime:
        text = self.text(key)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InventoryDocumentError(self.at(key), "not an ISO 8601 timestamp") from None
        if value.tzinfo is None:
            raise InventoryDocumentError(self.at(key), "timestamp without a time zone")
        return value

    def items(self, key: str, *, required: bool = True) -> list[tuple[object, str]]:
        value = self.raw(key, required=required)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise InventoryDocumentError(self.at(key), "expected an array")
        return [(item, f"{self.at(key)}[{i}]") for i, item in enumerate(value)]

    def objects(
        self, key: str, read: Callable[[_Obj], T], *, required: bool = True
    ) -> tuple[T, ...]:
        return tuple(read(_Obj(item, where)) for item, where in self.items(key, required=required))

    def strs(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        result = []
        for item, where in self.items(key, required=required):
            if not isinstance(item, str):
                raise InventoryDocumentError(where, "expected a string")
            result.append(item)
        return tuple(result)

    def ints(self, key: str) -> tuple[int, ...]:
        result = []
        for item, where in self.items(key, required=False):
            if not isinstance(item, int) or isinstance(item, bool):
                raise InventoryDocumentError(where, "expected an integer")
            result.append(item)
        return tuple(result)

    def obj(self, key: str) -> _Obj | None:
        value = self.raw(key, required=False)
        return None if value is None else _Obj(value, self.at(key))


def _platform(obj: _Obj) -> Platform:
    return Platform(
        distro=obj.text("distro"),
        release=obj.text("release"),
        family=obj.enum("family", OsFamily),
        package_format=obj.enum("package_format", PackageFormat),
        arch=obj.text("arch", required=False),
        codename=obj.text("codename", required=False),
        pretty_name=obj.text("pretty_name", required=False),
    )


def _host_key(obj: _Obj) -> HostKey:
    return HostKey(
        algorithm=obj.text("algorithm"),
        public_key=obj.text("public_key"),
        fingerprint=obj.text("fingerprint"),
    )


_EXAMPLES: Final = 5


def _version(obj: _Obj, key: str, package_format: PackageFormat | None, problems: list[str]) -> str:
    text = obj.text(key)
    if package_format is not None:
        try:
            versions.parse(package_format, text)
        except versions.InvalidVersion as exc:
            problems.append(
                f"{obj.at(key)}: invalid {package_format} version {text!r}: {exc.reason}"
            )
    return text


def _invalid_versions_warning(problems: list[str]) -> CollectionWarning:
    return CollectionWarning(
        source="inventory-document",
        code="invalid_version",
        count=len(problems),
        message=f"{len(problems)} package version(s) do not parse: those packages cannot be "
        "evaluated",
        examples=tuple(problems[:_EXAMPLES]),
    )


def _package_reader(
    package_format: PackageFormat | None, problems: list[str]
) -> Callable[[_Obj], InstalledPackage]:
    def read(obj: _Obj) -> InstalledPackage:
        name = obj.text("name")
        if not name or not name.isprintable() or len(name) > 256:
            raise InventoryDocumentError(obj.at("name"), "invalid package name")
        origin = obj.obj("origin")
        rpm = obj.obj("rpm")
        return InstalledPackage(
            name=name,
            version=_version(obj, "version", package_format, problems),
            arch=obj.text("arch"),
            source_name=obj.text("source_name"),
            source_version=_version(obj, "source_version", package_format, problems),
            origin=PackageOrigin(kind=OriginClass.UNKNOWN)
            if origin is None
            else PackageOrigin(
                kind=origin.enum("kind", OriginClass),
                repository=origin.text("repository", required=False),
                label=origin.text("label", required=False),
            ),
            rpm=None
            if rpm is None
            else RpmDetails(
                epoch=rpm.integer("epoch"),
                version=rpm.text("version"),
                release=rpm.text("release"),
                vendor=rpm.text("vendor", required=False),
                source_rpm=rpm.text("source_rpm", required=False),
            ),
        )

    return read


def _kernel(obj: _Obj) -> KernelInfo:
    return KernelInfo(
        running_release=obj.text("running_release"),
        running_version=obj.text("running_version", required=False),
        running_package=obj.text("running_package", required=False),
        is_running_packaged=obj.flag("is_running_packaged"),
        newer_installed=obj.strs("newer_installed"),
        installed=obj.objects(
            "installed",
            lambda k: InstalledKernel(
                package=k.text("package"),
                version=k.text("version"),
                kernel_release=k.text("kernel_release"),
            ),
            required=False,
        ),
    )


def _restart(obj: _Obj) -> RestartInfo:
    return RestartInfo(
        reboot_required=obj.opt_bool("reboot_required"),
        reboot_reasons=obj.strs("reboot_reasons"),
        reboot_packages=obj.strs("reboot_packages"),
        method=obj.enum("method", RestartCheckMethod),
        services=obj.objects(
            "services",
            lambda s: ServiceRestart(
                name=s.text("name"), pids=s.ints("pids"), deleted_files=s.strs("deleted_files")
            ),
            required=False,
        ),
    )


def _out_of_scope(obj: _Obj) -> OutOfScopeItem:
    return OutOfScopeItem(
        kind=obj.enum("kind", OutOfScopeKind),
        path=obj.text("path"),
        reason=obj.text("reason", required=False),
        pids=obj.ints("pids"),
    )


def _tls(obj: _Obj) -> TlsService:
    return TlsService(
        server=obj.enum("server", WebServer),
        service=obj.text("service"),
        passphrase_source=obj.text("passphrase_source"),
        needs_passphrase=obj.flag("needs_passphrase"),
        keys=obj.objects(
            "keys",
            lambda k: TlsKey(
                path=k.text("path"),
                config_file=k.text("config_file", required=False),
                line=k.integer("line"),
                is_encrypted=k.opt_bool("is_encrypted"),
            ),
        ),
    )


def _error(obj: _Obj) -> ScanError:
    params = obj.obj("params")
    return ScanError(
        code=obj.enum("code", ScanErrorCode),
        message=obj.text("message"),
        params={} if params is None else {key: params.text(key) for key in params.value},
    )


def _warning(obj: _Obj) -> CollectionWarning:
    return CollectionWarning(
        source=obj.text("source"),
        code=obj.text("code"),
        count=obj.integer("count"),
        message=obj.text("message"),
        examples=obj.strs("examples"),
    )


def _host(obj: _Obj) -> HostInventory:
    platform_obj = obj.obj("platform")
    platform = None if platform_obj is None else _platform(platform_obj)
    kernel, restart = obj.obj("kernel"), obj.obj("restart")
    host_key, error = obj.obj("host_key"), obj.obj("error")
    problems: list[str] = []
    packages = obj.objects(
        "packages", _package_reader(platform.package_format if platform else None, problems)
    )
    if packages and platform is None:
        raise InventoryDocumentError(obj.at("platform"), "packages without a platform")
    warnings = obj.objects("warnings", _warning, required=False)
    if problems:
        warnings = (*warnings, _invalid_versions_warning(problems))
    return HostInventory(
        target=obj.text("target"),
        hostname=obj.text("hostname", required=False),
        started_at=obj.time("started_at"),
        finished_at=obj.time("finished_at"),
        platform=platform,
        host_key=None if host_key is None else _host_key(host_key),
        is_privileged=obj.flag("is_privileged"),
        error=None if error is None else _error(error),
        packages=packages,
        kernel=None if kernel is None else _kernel(kernel),
        restart=None if restart is None else _restart(restart),
        out_of_scope=obj.objects("out_of_scope", _out_of_scope, required=False),
        tls=obj.objects("tls", _tls, required=False),
        warnings=warnings,
    )


def parse_inventory_document(text: str) -> InventoryDocument:
    """Validate and decode an inventory document's JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InventoryDocumentError("", f"not JSON: {exc}") from None
    document = _Obj(raw, "")
    if document.raw("schema", required=False) != SCHEMA:
        raise InventoryDocumentError("schema", f"not a {SCHEMA} document")
    version = document.integer("schema_version")
    if version != SCHEMA_VERSION:
        raise InventoryDocumentError(
            "schema_version",
            f"version {version} is not supported (this patchdesk reads {SCHEMA_VERSION})",
        )
    return InventoryDocument(
        generated_at=document.time("generated_at"),
        generator=document.text("generator", required=False),
        hosts=document.objects("hosts", _host),
        schema_version=version,
    )


def read_inventory_document(path: Path) -> InventoryDocument:
    """Read and validate the document at ``path`` (``InventoryDocumentError`` names the file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryDocumentError(str(path), f"cannot read: {exc}") from None
    try:
        return parse_inventory_document(text)
    except InventoryDocumentError as exc:
        where = f"{path}: {exc.location}" if exc.location else str(path)
        raise InventoryDocumentError(where, exc.message) from None
