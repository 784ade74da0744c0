"""The SSH transport against real SSH servers on loopback (asyncssh servers in the test).

The servers run each command with /bin/sh on this machine, and record every authentication
attempt, so the tests can prove that nothing is sent to a server whose host key changed.
The real-host tests (OpenSSH sshd, sudo, PAM) are in ``tests/engine/collect``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest

from patchdesk.engine.model.inventory import HostKey
from patchdesk.engine.transport import (
    AuthenticationRejectedError,
    CommandTimeoutError,
    ConnectTimeoutError,
    HostKeyChangedError,
    SshCredentials,
    SshOptions,
    SshTarget,
    Transport,
    UnreachableError,
    open_ssh,
)
from patchdesk.engine.transport.hostkeys import host_key_from_asyncssh

PASSWORD = "right-password"


@dataclass
class ServerLog:
    auth_attempts: list[str] = field(default_factory=list)
    forwards: list[tuple[str, int]] = field(default_factory=list)


class _Server(asyncssh.SSHServer):
    def __init__(self, log: ServerLog) -> None:
        self.log = log

    def begin_auth(self, username: str) -> bool:
        self.log.auth_attempts.append(username)
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return password == PASSWORD

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        self.log.forwards.append((dest_host, dest_port))
        return True


async def _run_locally(process: asyncssh.SSHServerProcess[bytes]) -> None:
    data = await process.stdin.read()
    command = process.command or "true"
    if command.startswith("sleep "):  # a hanging command, without a process
        try:
            await asyncio.wait_for(process.wait_closed(), float(command.split()[1]))
        except TimeoutError:
            process.exit(0)
        return
    if command == "drop-connection":  # the host goes away mid-command (both streams fail)
        process.stdout.write(b"partial output\n")
        await process.stdout.drain()
        process.get_extra_info("connection").abort()
        return
    local = await asyncio.create_subprocess_shell(
        process.command or "true",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    work = asyncio.ensure_future(local.communicate(data))
    closed = asyncio.ensure_future(process.wait_closed())
    try:
        await asyncio.wait([work, closed], return_when=asyncio.FIRST_COMPLETED)
        if work.done():
            stdout, stderr = work.result()
            process.stdout.write(stdout)
            process.stderr.write(stderr)
            await process.stdout.drain()
            process.exit(local.returncode or 0)
    except (asyncssh.Error, OSError):
        process.close()
    finally:
        closed.cancel()
        if local.returncode is None:  # the client went away (its command timeout): stop
            local.kill()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await work


@dataclass
class Server:
    port: int
    host_key: HostKey
    log: ServerLog
    client_key: asyncssh.SSHKey


@asynccontextmanager
async def ssh_server(kind: str = "ssh-ed25519") -> AsyncIterator[Server]:
    host_key = asyncssh.generate_private_key(kind)
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    log = ServerLog()
    server = await asyncssh.create_server(
        lambda: _Server(log),
        "127.0.0.1",
        0,
        server_host_keys=[host_key],
        authorized_client_keys=asyncssh.import_authorized_keys(
            client_key.export_public_key().decode()
        ),
        process_factory=_run_locally,
        encoding=None,
        allow_scp=False,
    )
    port = server.sockets[0].getsockname()[1]
    try:
        yield Server(
            port=port,
            host_key=host_key_from_asyncssh(host_key.convert_to_public()),
            log=log,
            client_key=client_key,
        )
    finally:
        server.close()
        await server.wait_closed()


def _key_target(server: Server, **kwargs: object) -> SshTarget:
    key = server.client_key.export_private_key().decode()
    return SshTarget(
        host="127.0.0.1",
        port=server.port,
        credentials=SshCredentials(username="deploy", private_keys=(key,)),
        **kwargs,  # type: ignore[arg-type]
    )


def _other_key(kind: str = "ssh-ed25519") -> HostKey:
    return host_key_from_asyncssh(asyncssh.generate_private_key(kind).convert_to_public())


def test_first_contact_reports_the_host_key_and_runs_commands() -> None:
    async def scenario() -> None:
        async with ssh_server() as server, open_ssh(_key_target(server)) as transport:
            assert isinstance(transport, Transport)
            assert transport.host_key == server.host_key
            assert transport.target == f"ssh://deploy@127.0.0.1:{server.port}"
            result = await transport.run("tr a-z A-Z; echo err >&2; exit 4", stdin=b"abc\n")
            assert (result.stdout, result.stderr, result.exit_status) == (b"ABC\n", b"err\n", 4)

    asyncio.run(scenario())


def test_a_pinned_key_that_matches_connects() -> None:
    async def scenario() -> None:
        async with ssh_server() as server:
            target = _key_target(server, host_key=server.host_key)
            async with open_ssh(target) as transport:
                assert (await transport.run("echo ok")).stdout == b"ok\n"

    asyncio.run(scenario())


@pytest.mark.parametrize("pinned_kind", ["ssh-ed25519", "ecdsa-sha2-nistp256"])
def test_a_changed_key_is_a_hard_stop_before_any_credential_is_sent(pinned_kind: str) -> None:
    async def scenario() -> None:
        async with ssh_server() as server:
            pinned = _other_key(pinned_kind)
            target = _key_target(server, host_key=pinned)
            with pytest.raises(HostKeyChangedError) as caught:
                async with open_ssh(target):
                    pass
            error = caught.value
            assert error.code == "host_key_changed"
            assert error.expected == pinned
            assert error.observed == server.host_key  # what the operator reviews and accepts
            assert error.params["observed_fingerprint"] == server.host_key.fingerprint
            assert server.log.auth_attempts == []  # nothing was sent to the impostor

    asyncio.run(scenario())


def test_an_operator_accepted_new_key_connects_and_a_wrong_acceptance_does_not() -> None:
    async def scenario() -> None:
        async with ssh_server() as server:
            pinned = _other_key("ecdsa-sha2-nistp256")
            accepted = _key_target(
                server, host_key=pinned, accept_fingerprint=server.host_key.fingerprint
            )
            async with open_ssh(accepted) as transport:
                assert transport.host_key == server.host_key
            wrong = _key_target(server, host_key=pinned, accept_fingerprint="SHA256:nope")
            with pytest.raises(HostKeyChangedError):
                async with open_ssh(wrong):
                    pass

    asyncio.run(scenario())


def test_password_login_and_a_rejected_password() -> None:
    async def scenario() -> None:
        async with ssh_server() as server:
            good = SshTarget(
                host="127.0.0.1",
                port=server.port,
                credentials=SshCredentials(username="alice", password=PASSWORD),
            )
            async with open_ssh(good) as transport:
                assert (await transport.run("echo in")).stdout == b"in\n"
            bad = SshTarget(
                host="127.0.0.1",
                port=server.port,
                credentials=SshCredentials(username="alice", password="Wr0ng-pw!"),
            )
            with pytest.raises(AuthenticationRejectedError) as caught:
                async with open_ssh(bad):
                    pass
            assert caught.value.code == "auth_rejected"
            assert "Wr0ng-pw!" not in str(caught.value)  # never the secret in a message

    asyncio.run(scenario())


def test_an_encrypted_key_needs_its_passphrase() -> None:
    async def scenario() -> None:
        async with ssh_server() as server:
            encrypted = server.client_key.export_private_key("pkcs8-pem", passphrase="kp").decode()
            good = SshTarget(
                host="127.0.0.1",
                port=server.port,
                credentials=SshCredentials(
                    username="deploy", private_keys=(encrypted,), key_passphrase="kp"
                ),
            )
            async with open_ssh(good) as transport:
                assert (await transport.run("true")).exit_status == 0
            wrong = SshTarget(
                host="127.0.0.1",
                port=server.port,
                credentials=SshCredentials(
                    username="deploy", private_keys=(encrypted,), key_passphrase="nope"
                ),
            )
            with pytest.raises(AuthenticationRejectedError, match="passphrase"):
                async with open_ssh(wrong):
                    pass

    asyncio.run(scenario())


def test_command_timeout_and_output_cap() -> None:
    async def scenario() -> None:
        async with ssh_server() as server:
            options = SshOptions(max_output_bytes=4096)
            async with open_ssh(_key_target(server), options=options) as transport:
                with pytest.raises(CommandTimeoutError):
                    await transport.run("sleep 30", timeout_s=0.3)
                big = await transport.run("head -c 1000000 /dev/zero")
                assert big.is_truncated
                assert len(big.stdout) == 4096
                assert (await transport.run("echo still usable")).stdout == b"still usable\n"

    asyncio.run(scenario())


def test_a_connection_dropped_mid_command_is_unreachable_and_leaves_no_task_error() -> None:
    reports: list[dict[str, object]] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _l, c: reports.append(c))
        async with ssh_server() as server:
            async with open_ssh(_key_target(server)) as transport:
                with pytest.raises(UnreachableError) as caught:
                    await transport.run("drop-connection")
                assert caught.value.code == "unreachable"
                del caught
            gc.collect()  # the output readers are gone: an unretrieved error is reported now

    asyncio.run(scenario())
    assert [context.get("message") for context in reports] == []


def test_through_a_jump_host_every_hop_is_reported() -> None:
    async def scenario() -> None:
        seen: list[tuple[int, str]] = []
        async with ssh_server() as jump_server, ssh_server("ecdsa-sha2-nistp256") as server:
            target = _key_target(server, jump=_key_target(jump_server))
            async with open_ssh(
                target, on_host_key=lambda t, key: seen.append((t.port, key.fingerprint))
            ) as transport:
                assert (await transport.run("echo via jump")).stdout == b"via jump\n"
            assert jump_server.log.forwards == [("127.0.0.1", server.port)]
            assert seen == [
                (jump_server.port, jump_server.host_key.fingerprint),
                (server.port, server.host_key.fingerprint),
            ]

    asyncio.run(scenario())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_unreachable() -> None:
    target = SshTarget(
        host="127.0.0.1", port=_free_port(), credentials=SshCredentials(username="x")
    )

    async def scenario() -> None:
        async with open_ssh(target):
            pass

    with pytest.raises(UnreachableError) as caught:
        asyncio.run(scenario())
    assert caught.value.code == "unreachable"
    assert "refused" in str(caught.value).lower()


def test_a_server_that_never_speaks_ssh_times_out() -> None:
    async def scenario() -> None:
        silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = silent.sockets[0].getsockname()[1]
        target = SshTarget(host="127.0.0.1", port=port, credentials=SshCredentials(username="x"))
        try:
            async with open_ssh(target, options=SshOptions(connect_timeout_s=0.3)):
                pass
        finally:
            silent.close()

    with pytest.raises(ConnectTimeoutError) as caught:
        asyncio.run(scenario())
    assert caught.value.code == "timeout"


def test_an_openssh_format_encrypted_key_is_decrypted(tmp_path: Path) -> None:
    """OpenSSH's default key format (bcrypt KDF) decrypts with the right passphrase: the
    attempt then fails only because nothing listens; a wrong passphrase is refused clearly."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "pass", "-f", str(tmp_path / "k")], check=True
    )

    def attempt(passphrase: str) -> None:
        target = SshTarget(
            host="127.0.0.1",
            port=_free_port(),
            credentials=SshCredentials(
                username="x",
                private_keys=((tmp_path / "k").read_text(),),
                key_passphrase=passphrase,
            ),
        )

        async def scenario() -> None:
            async with open_ssh(target):
                pass

        asyncio.run(scenario())

    with pytest.raises(UnreachableError):
        attempt("pass")
    with pytest.raises(AuthenticationRejectedError, match="passphrase"):
        attempt("wrong")
