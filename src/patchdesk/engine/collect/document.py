"""The inventory document: a scan's results as versioned JSON, saved, replayed and imported.

``format_inventory_document``/``write_inventory_document`` produce it;
``parse_inventory_document``/``read_inventory_document`` (in :mod:`.document_read`) validate
it and rebuild the :class:`HostInventory` values. The schema is in ``docs/collection.md``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from patchdesk.engine.model.inventory import (
    CollectionWarning,
    HostInventory,
    HostKey,
    InstalledPackage,
    KernelInfo,
    OutOfScopeItem,
    RestartInfo,
    ScanError,
    TlsService,
)
from patchdesk.engine.model.platform import Platform

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "InventoryDocument",
    "format_inventory_document",
    "inventory_to_json",
    "write_inventory_document",
]

SCHEMA: Final = "patchdesk.inventory"
SCHEMA_VERSION: Final = 1
"""Readers accept this version; additions that old readers can ignore keep it, anything else
raises it."""

_Json = dict[str, object]


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryDocument:
    generated_at: datetime
    generator: str
    hosts: tuple[HostInventory, ...]
    schema_version: int = SCHEMA_VERSION


def _platform(platform: Platform | None) -> _Json | None:
    if platform is None:
        return None
    return {
        "key": platform.key,
        "distro": platform.distro,
        "release": platform.release,
        "family": str(platform.family),
        "package_format": str(platform.package_format),
        "arch": platform.arch,
        "codename": platform.codename,
        "pretty_name": platform.pretty_name,
    }


def _host_key(key: HostKey | None) -> _Json | None:
    if key is None:
        return None
    return {
        "algorithm": key.algorithm,
        "public_key": key.public_key,
        "fingerprint": key.fingerprint,
    }


def _package(package: InstalledPackage) -> _Json:
    item: _Json = {
        "name": package.name,
        "version": package.version,
        "arch": package.arch,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "origin": {
            "kind": str(package.origin.kind),
            "repository": package.origin.repository,
            "label": package.origin.label,
        },
    }
    if package.rpm is not None:
        item["rpm"] = {
            "epoch": package.rpm.epoch,
            "version": package.rpm.version,
            "release": package.rpm.release,
            "vendor": package.rpm.vendor,
            "source_rpm": package.rpm.source_rpm,
        }
    return item


def _kernel(kernel: KernelInfo | None) -> _Json | None:
    if kernel is None:
        return None
    return {
        "running_release": kernel.running_release,
        "running_version": kernel.running_version,
        "running_package": kernel.running_package,
        "is_running_packaged": kernel.is_running_packaged,
        "newer_installed": list(kernel.newer_installed),
        "installed": [
            {"package": k.package, "version": k.version, "kernel_release": k.kernel_release}
            for k in kernel.installed
        ],
    }


def _restart(restart: RestartInfo | None) -> _Json | None:
    if restart is None:
        return None
    return {
        "reboot_required": restart.reboot_required,
        "reboot_reasons": list(restart.reboot_reasons),
        "reboot_packages": list(restart.reboot_packages),
        "method": str(restart.method),
        "services": [
            {"name": s.name, "pids": list(s.pids), "deleted_files": list(s.deleted_files)}
            for s in restart.services
        ],
    }


def _out_of_scope(item: OutOfScopeItem) -> _Json:
    return {
        "kind": str(item.kind),
        "path": item.path,
        "reason": item.reason,
        "pids": list(item.pids),
    }


def _tls(service: TlsService) -> _Json:
    return {
        "server": str(service.server),
        "service": service.service,
        "passphrase_source": service.passphrase_source,
        "needs_passphrase": service.needs_passphrase,
        "keys": [
            {
                "path": key.path,
                "config_file": key.config_file,
                "line": key.line,
                "is_encrypted": key.is_encrypted,
            }
            for key in service.keys
        ],
    }


def _error(error: ScanError | None) -> _Json | None:
    if error is None:
        return None
    return {"code": str(error.code), "message": error.message, "params": dict(error.params)}


def _warning(warning: CollectionWarning) -> _Json:
    return {
        "source": warning.source,
        "code": warning.code,
        "count": warning.count,
        "message": warning.message,
        "examples": list(warning.examples),
    }


def inventory_to_json(inventory: HostInventory) -> _Json:
    """One host as the document's JSON object."""
    return {
        "target": inventory.target,
        "hostname": inventory.hostname,
        "started_at": inventory.started_at.isoformat(),
        "finished_at": inventory.finished_at.isoformat(),
        "platform": _platform(inventory.platform),
        "host_key": _host_key(inventory.host_key),
        "is_privileged": inventory.is_privileged,
        "error": _error(inventory.error),
        "packages": [_package(p) for p in inventory.packages],
        "kernel": _kernel(inventory.kernel),
        "restart": _restart(inventory.restart),
        "out_of_scope": [_out_of_scope(item) for item in inventory.out_of_scope],
        "tls": [_tls(service) for service in inventory.tls],
        "warnings": [_warning(w) for w in inventory.warnings],
    }


def format_inventory_document(
    hosts: Sequence[HostInventory], *, generated_at: datetime, generator: str
) -> str:
    """The document as JSON text (UTF-8, one trailing newline)."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "generator": generator,
        "hosts": [inventory_to_json(host) for host in hosts],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def write_inventory_document(
    path: Path, hosts: Sequence[HostInventory], *, generated_at: datetime, generator: str
) -> None:
    """Write the document atomically (a reader never sees half a file)."""
    text = format_inventory_document(hosts, generated_at=generated_at, generator=generator)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
