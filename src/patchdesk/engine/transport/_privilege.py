"""Wrap a command for sudo, and recognise sudo's own refusals (shared by ssh and local)."""

from __future__ import annotations

import shlex
from typing import Final

from patchdesk.engine.transport.base import CommandResult, Elevation

__all__ = ["sudo_refusal", "wrap_for_root"]

_SUDO_REFUSALS: Final = (
    ("a password is required", "sudo needs a password, but none is configured"),
    ("a terminal is required", "sudo needs a password, but none is configured"),
    ("no password was provided", "sudo refused the password"),
    ("incorrect password", "sudo refused the password"),
    ("is not in the sudoers file", "the user is not in the sudoers file"),
    ("is not allowed to execute", "sudoers does not allow the user to run the command"),
    ("is not allowed to run sudo", "sudoers does not allow the user to run sudo"),
    ("must have a tty", "sudoers requires a terminal (Defaults requiretty)"),
    ("no tty present", "sudo needs a password, but none is configured"),
)


def wrap_for_root(command: str, elevation: Elevation, password: str | None) -> tuple[str, bytes]:
    """The command line and stdin that run ``command`` as root with ``elevation``.

    The command is passed to ``/bin/sh -c`` as one quoted argument; the password, when there is
    one, goes to sudo on stdin (``-S``), never on a command line.
    """
    if elevation is Elevation.NONE:
        return command, b""
    quoted = shlex.quote(command)
    if elevation is Elevation.SUDO:
        return f"sudo -n -- /bin/sh -c {quoted}", b""
    secret = (password or "").encode("utf-8")
    return f"sudo -S -p '' -- /bin/sh -c {quoted}", secret + b"\n"


def sudo_refusal(result: CommandResult) -> str | None:
    """Why sudo refused to run the command, or None when sudo itself did not fail."""
    if result.exit_status == 127 and b"sudo" in result.stderr and b"not found" in result.stderr:
        return "sudo is not installed"
    if result.exit_status != 1:
        return None
    text = result.stderr.decode("utf-8", "replace").lower()
    if "sudo" not in text:
        return None
    for needle, reason in _SUDO_REFUSALS:
        if needle in text:
            return reason
    return None
