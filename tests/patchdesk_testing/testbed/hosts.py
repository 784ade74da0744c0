"""One testbed host: an overlay of the template, a network namespace, a chrooted sshd.

The sshd runs as PID 1 of its own PID, mount and UTS namespaces
(``unshare --mount --pid --uts --fork``) with /proc, /sys, /run and devpts mounted, so ``ps``,
``hostname`` and PTYs behave like a server. Each start generates fresh host keys (ed25519 and
ecdsa); :meth:`TestbedHost.replace_host_keys` simulates a reinstalled or impersonated server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from patchdesk_testing.testbed import network

__all__ = ["SshAccount", "TestbedHost"]

_SSH_OPTIONS = (
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes",
    "-o", "LogLevel=ERROR",
    "-o", "ConnectTimeout=10",
)  # fmt: skip


class SshAccount:
    """The logins every host has: root and ``deploy`` (key, NOPASSWD sudo), ``alice``
    (password, sudo with password)."""

    def __init__(self, *, key: Path, alice_password: str) -> None:
        self.key = key
        self.alice_password = alice_password

    @property
    def public_key(self) -> str:
        return self.key.with_suffix(".pub").read_text()


class TestbedHost:
    """Host ``h<index>`` at 10.213.0.(10+index):22."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, index: int, work: Path, lower: Path, account: SshAccount, logs: Path):
        self.index = index
        self.name = f"h{index}"
        self.ip = network.host_ip(index)
        self.namespace = network.namespace(index)
        self.dir = work / self.name
        self.root = self.dir / "root"
        self.lower = lower
        self.account = account
        self.log = logs / f"{self.name}-sshd.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.timings: dict[str, float] = {}

    # --- files inside the host ------------------------------------------------------------

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")

    def write(self, inside: str, text: str | bytes, *, mode: int = 0o644) -> None:
        target = self.path(inside)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode() if isinstance(text, str) else text)
        target.chmod(mode)

    def chroot(self, *args: str, stdin: str | None = None) -> None:
        subprocess.run(
            ["chroot", str(self.root), *args], input=stdin, text=True, check=True, timeout=60,
            capture_output=True,
        )  # fmt: skip

    def host_key_line(self, algorithm: str = "ed25519") -> str:
        """The public host key (``ssh-ed25519 AAAA...``) the running sshd presents."""
        text = self.path(f"/etc/ssh/ssh_host_{algorithm}_key.pub").read_text().split()
        return f"{text[0]} {text[1]}"

    # --- life cycle -----------------------------------------------------------------------

    def create(self) -> None:
        started = time.monotonic()
        self.log.write_bytes(b"")
        for sub in ("upper", "work", "root"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        network.run(
            "mount", "-t", "overlay", "overlay", "-o",
            f"lowerdir={self.lower},upperdir={self.dir / 'upper'},workdir={self.dir / 'work'}",
            str(self.root),
        )  # fmt: skip
        self.write("/etc/hostname", f"{self.name}\n")
        hosts = self.path("/etc/hosts").read_text()
        self.write("/etc/hosts", hosts + f"{self.ip} {self.name}\n")
        self.write(
            "/etc/apt/apt.conf.d/01proxy",
            f'Acquire::http::Proxy "http://{network.BRIDGE_IP}:3142";\n',
        )
        self.write(
            "/etc/ssh/sshd_config.d/20-hostkeys.conf",
            "HostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_ecdsa_key\n",
        )
        for home, owner in (("/root", "root"), ("/home/deploy", "deploy")):
            self.path(f"{home}/.ssh").mkdir(mode=0o700, exist_ok=True)
            self.write(f"{home}/.ssh/authorized_keys", self.account.public_key, mode=0o600)
            self.chroot("chown", "-R", f"{owner}:{owner}", f"{home}/.ssh")  # the rootfs's uids
        self.chroot("chpasswd", stdin=f"alice:{self.account.alice_password}\n")
        network.namespace_up(self.index)
        self.start()
        self.timings["up_s"] = time.monotonic() - started

    def _generate_host_keys(self) -> None:
        for old in self.path("/etc/ssh").glob("ssh_host_*"):
            old.unlink()
        for kind in ("ed25519", "ecdsa"):
            self.chroot(
                "ssh-keygen", "-q", "-t", kind, "-N", "", "-f", f"/etc/ssh/ssh_host_{kind}_key"
            )

    def start(self) -> None:
        """Start sshd with fresh host keys; wait until it answers with its banner."""
        self._generate_host_keys()
        root = self.root
        script = (
            f"set -e; hostname {self.name}; "
            f"mount -t proc proc {root}/proc; "
            f"mount -t sysfs -o ro sysfs {root}/sys; "
            f"mount -t tmpfs -o mode=755 tmpfs {root}/run; "
            f"mkdir -p {root}/run/sshd {root}/run/lock; "
            f"mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts {root}/dev/pts; "
            f"mount --bind {root}/dev/pts/ptmx {root}/dev/ptmx; "
            f"exec chroot {root} /usr/sbin/sshd -D -e"
        )
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                ["ip", "netns", "exec", self.namespace, "unshare", "--mount", "--pid", "--uts",
                 "--fork", "--kill-child", "--propagation", "private", "/bin/sh", "-c", script],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                break
            with contextlib.suppress(OSError), socket.create_connection((self.ip, 22), 1) as sock:
                sock.settimeout(2)
                if sock.recv(64).startswith(b"SSH-2.0-"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: sshd did not start; log:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop sshd (PID 1 of the host's namespaces: everything in it ends)."""
        process, self._process = self._process, None
        if process is None:
            return
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        with contextlib.suppress(OSError):
            for pid in children.read_text().split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGTERM)  # unshare --fork ignores SIGTERM
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def replace_host_keys(self) -> None:
        """Restart sshd with new host keys (a reinstalled server, or an impostor)."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        started = time.monotonic()
        self.stop()
        network.namespace_down(self.namespace, self.index)
        if self.root.is_mount():
            network.run("umount", str(self.root), check=False)
        if self.root.is_mount():
            network.run("umount", "-l", str(self.root), check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.timings["down_s"] = time.monotonic() - started

    # --- commands over SSH (OpenSSH client: independent of patchdesk's transport) ---------

    def ssh(
        self, command: str, *, user: str = "root", check: bool = True, timeout_s: float = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["ssh", "-i", str(self.account.key), *_SSH_OPTIONS, f"{user}@{self.ip}", command],
            capture_output=True, text=True, check=False, timeout=timeout_s,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{self.name}: `{command}` failed ({result.returncode}): {result.stderr.strip()}"
            )
        return result
