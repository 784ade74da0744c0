"""Running commands on servers: one :class:`Transport` protocol, three implementations.

- :func:`open_ssh` (asyncssh): keys, passwords, encrypted keys, sudo with or without a
  password, jump hosts, connect and command timeouts, host keys pinned by the caller.
- :class:`LocalTransport`: this machine.
- :class:`ReplayTransport`: recorded outputs, for tests (:class:`RecordingTransport` records).

Failures are :class:`TransportError` subclasses, each with a
:class:`~patchdesk.engine.model.inventory.ScanErrorCode`.
"""

from __future__ import annotations

from patchdesk.engine.transport.base import (
    DEFAULT_MAX_OUTPUT_BYTES,
    CommandResult,
    Elevation,
    Transport,
)
from patchdesk.engine.transport.errors import (
    AuthenticationRejectedError,
    CommandFailedError,
    CommandTimeoutError,
    ConnectTimeoutError,
    HostKeyChangedError,
    PermissionDeniedError,
    TransportError,
    UnreachableError,
)
from patchdesk.engine.transport.hostkeys import (
    HostKeyFormatError,
    format_known_hosts_line,
    known_hosts_name,
    parse_host_key,
    parse_known_hosts,
)
from patchdesk.engine.transport.local import LocalTransport
from patchdesk.engine.transport.replay import (
    RecordedCommand,
    Recording,
    RecordingFormatError,
    RecordingTransport,
    ReplayMissError,
    ReplayTransport,
    format_recording,
    read_recording,
)
from patchdesk.engine.transport.ssh import (
    HostKeyObserver,
    SshCredentials,
    SshOptions,
    SshTarget,
    SshTransport,
    open_ssh,
)

__all__ = [
    "DEFAULT_MAX_OUTPUT_BYTES",
    "AuthenticationRejectedError",
    "CommandFailedError",
    "CommandResult",
    "CommandTimeoutError",
    "ConnectTimeoutError",
    "Elevation",
    "HostKeyChangedError",
    "HostKeyFormatError",
    "HostKeyObserver",
    "LocalTransport",
    "PermissionDeniedError",
    "RecordedCommand",
    "Recording",
    "RecordingFormatError",
    "RecordingTransport",
    "ReplayMissError",
    "ReplayTransport",
    "SshCredentials",
    "SshOptions",
    "SshTarget",
    "SshTransport",
    "Transport",
    "TransportError",
    "UnreachableError",
    "format_known_hosts_line",
    "format_recording",
    "known_hosts_name",
    "open_ssh",
    "parse_host_key",
    "parse_known_hosts",
    "read_recording",
]
