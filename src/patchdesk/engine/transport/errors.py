"""Transport failures, each with the :class:`ScanErrorCode` the desk shows for it.

``str(error)`` is one English line without secrets; ``params`` carry the facts for a translated
message (host, port, fingerprints ...).
"""

from __future__ import annotations

from collections.abc import Mapping

from patchdesk.engine.model.inventory import HostKey, ScanError, ScanErrorCode

__all__ = [
    "AuthenticationRejectedError",
    "CommandFailedError",
    "CommandTimeoutError",
    "ConnectTimeoutError",
    "HostKeyChangedError",
    "PermissionDeniedError",
    "TransportError",
    "UnreachableError",
]


class TransportError(Exception):
    """A host could not be reached or used. Subclasses fix :attr:`code`."""

    code: ScanErrorCode = ScanErrorCode.UNREACHABLE

    def __init__(self, message: str, *, params: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params: dict[str, str] = dict(params or {})

    def to_scan_error(self) -> ScanError:
        return ScanError(code=self.code, message=self.message, params=dict(self.params))


class UnreachableError(TransportError):
    """No SSH connection: refused, no route, unknown name, or the connection was lost."""

    code = ScanErrorCode.UNREACHABLE


class ConnectTimeoutError(TransportError):
    """Connecting (TCP, key exchange or authentication) took longer than the connect timeout."""

    code = ScanErrorCode.TIMEOUT


class CommandTimeoutError(TransportError):
    """A command ran longer than its timeout; it was stopped."""

    code = ScanErrorCode.TIMEOUT


class AuthenticationRejectedError(TransportError):
    """The server refused every credential offered (R14: the credentials have changed)."""

    code = ScanErrorCode.AUTH_REJECTED


class PermissionDeniedError(TransportError):
    """Becoming root failed: sudo wants a password, refused it, or the user may not sudo."""

    code = ScanErrorCode.PERMISSION_DENIED


class HostKeyChangedError(TransportError):
    """The server presented a host key other than the pinned one: a hard stop.

    Nothing was sent to the server (the key is checked before authentication). An operator
    must accept :attr:`observed` explicitly before the host is scanned again.
    """

    code = ScanErrorCode.HOST_KEY_CHANGED

    def __init__(self, message: str, *, expected: HostKey, observed: HostKey | None) -> None:
        params = {"expected_fingerprint": expected.fingerprint}
        if observed is not None:
            params["observed_fingerprint"] = observed.fingerprint
            params["observed_key"] = observed.public_key
        super().__init__(message, params=params)
        self.expected = expected
        self.observed = observed


class CommandFailedError(TransportError):
    """A command the scan cannot do without failed (e.g. ``dpkg-query`` missing or broken)."""

    code = ScanErrorCode.COMMAND_FAILED
