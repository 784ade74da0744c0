"""Collect server inventories: the OS release, installed packages and their origins, kernel and
restart state, out-of-scope software and TLS passphrases, over any
:class:`~patchdesk.engine.transport.Transport`.

What the desk calls:

- :func:`scan_hosts` / :func:`scan_hosts_blocking`: many targets with a bounded pool;
  :func:`scan_host`: one target. Targets are :class:`~patchdesk.engine.transport.SshTarget`
  or :class:`LocalTarget`; each gives one :class:`~patchdesk.engine.model.inventory.HostInventory`
  (``error`` set on failure).
- :func:`collect_inventory`: one host over an already connected transport (tests, replays).
- :func:`write_inventory_document` / :func:`read_inventory_document`: the versioned JSON.

See ``docs/collection.md`` for the commands run on hosts and the document schema.
"""

from __future__ import annotations

from patchdesk.engine.collect.document import (
    SCHEMA,
    SCHEMA_VERSION,
    InventoryDocument,
    format_inventory_document,
    write_inventory_document,
)
from patchdesk.engine.collect.document_read import (
    InventoryDocumentError,
    parse_inventory_document,
    read_inventory_document,
)
from patchdesk.engine.collect.host import CollectOptions, collect_inventory
from patchdesk.engine.collect.origin import OriginRules
from patchdesk.engine.collect.platform_detect import UnsupportedOs, detect_platform
from patchdesk.engine.collect.pool import (
    DEFAULT_CONCURRENCY,
    LocalTarget,
    ScanProgress,
    ScanTarget,
    open_target,
    scan_host,
    scan_hosts,
    scan_hosts_blocking,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "SCHEMA",
    "SCHEMA_VERSION",
    "CollectOptions",
    "InventoryDocument",
    "InventoryDocumentError",
    "LocalTarget",
    "OriginRules",
    "ScanProgress",
    "ScanTarget",
    "UnsupportedOs",
    "collect_inventory",
    "detect_platform",
    "format_inventory_document",
    "open_target",
    "parse_inventory_document",
    "read_inventory_document",
    "scan_host",
    "scan_hosts",
    "scan_hosts_blocking",
    "write_inventory_document",
]
