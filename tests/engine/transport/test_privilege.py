"""sudo wrapping and the recognition of sudo's own refusals."""

from __future__ import annotations

import shlex

import pytest

from patchdesk.engine.transport import CommandResult, Elevation
from patchdesk.engine.transport._privilege import sudo_refusal, wrap_for_root


def test_without_elevation_the_command_is_unchanged() -> None:
    assert wrap_for_root("id -u", Elevation.NONE, "pw") == ("id -u", b"")


def test_sudo_without_password_never_prompts() -> None:
    line, stdin = wrap_for_root("echo 'a b'; id -u", Elevation.SUDO, None)
    assert line == "sudo -n -- /bin/sh -c " + shlex.quote("echo 'a b'; id -u")
    assert stdin == b""
    assert shlex.split(line)[-1] == "echo 'a b'; id -u"


def test_sudo_password_goes_to_stdin_never_to_the_command_line() -> None:
    line, stdin = wrap_for_root("id -u", Elevation.SUDO_PASSWORD, "s3cret; rm -rf /")
    assert "s3cret" not in line
    assert line.startswith("sudo -S -p '' -- /bin/sh -c ")
    assert stdin == b"s3cret; rm -rf /\n"


def _result(status: int, stderr: str) -> CommandResult:
    return CommandResult(command="x", exit_status=status, stdout=b"", stderr=stderr.encode())


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("sudo: a password is required\n", "sudo needs a password, but none is configured"),
        ("Sorry, try again.\nsudo: 1 incorrect password attempt\n", "sudo refused the password"),
        (
            "alice is not in the sudoers file.  This incident will be reported.\n",
            "the user is not in the sudoers file",
        ),
        ("sudo: sorry, you must have a tty to run sudo\n", "sudoers requires a terminal"),
    ],
)
def test_sudo_refusals_are_recognised(stderr: str, reason: str) -> None:
    found = sudo_refusal(_result(1, stderr))
    assert found is not None
    assert found.startswith(reason)


def test_a_failing_command_is_not_a_sudo_refusal() -> None:
    assert sudo_refusal(_result(2, "sudo: a password is required")) is None
    assert sudo_refusal(_result(1, "grep: /etc/x: No such file or directory")) is None
    assert sudo_refusal(_result(127, "sh: 1: sudo: not found")) == "sudo is not installed"
