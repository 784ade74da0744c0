"""The testbed as a whole: lock, leftovers, template, tmpfs, bridge, proxy, hosts, teardown.

One testbed runs at a time on a machine (an exclusive ``flock``); whoever holds the lock first
removes what a crashed run left behind (namespaces, links, mounts, processes). Work files live
on a tmpfs under ``/var/tmp/patchdesk-testbed/work``: the template is unpacked there once as
the lower layer of every host's overlay.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

from patchdesk_testing.testbed import network
from patchdesk_testing.testbed.build import (
    CACHE_DIR,
    Recipe,
    ensure_template,
    rpm_template_recipe,
    template_recipe,
)
from patchdesk_testing.testbed.hosts import SshAccount, TestbedHost
from patchdesk_testing.testbed.mirror import MirrorError, find_mirror

__all__ = ["BASE_DIR", "Testbed", "clean_leftovers", "testbed_problem"]

BASE_DIR = Path("/var/tmp/patchdesk-testbed")
LOCK_FILE = Path("/run/lock/patchdesk-testbed.lock")
PROXY_PORT = 3142
_TOOLS = ("mmdebstrap", "ip", "unshare", "chroot", "mount", "tar", "zstd", "ssh", "ssh-keygen")


def testbed_problem() -> str | None:
    """Why the testbed cannot run on this machine, or None."""
    if os.geteuid() != 0:
        return "it needs root (network namespaces, mounts, chroot)"
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing tools: {', '.join(missing)} (`make debs` installs them)"
    try:
        find_mirror()
    except MirrorError as exc:
        return str(exc)
    return None


def _mounts_under(path: Path) -> list[str]:
    lines = Path("/proc/self/mounts").read_text().splitlines()
    points = [line.split()[1] for line in lines]
    return sorted((p for p in points if p == str(path) or p.startswith(f"{path}/")), reverse=True)


def clean_leftovers(base: Path = BASE_DIR) -> list[str]:
    """Remove what an earlier (crashed) run left: call only while holding the lock."""
    removed = []
    for name in network.leftover_namespaces():
        index = name.removeprefix(f"{network.PREFIX}h")
        network.namespace_down(name, int(index) if index.isdigit() else None)
        removed.append(f"netns {name}")
    links = network.run("ip", "-o", "link", "show", check=False).stdout.splitlines()
    for line in links:
        link = line.split(":")[1].strip().split("@")[0] if ":" in line else ""
        if link.startswith(network.PREFIX):
            network.run("ip", "link", "del", link, check=False)
            removed.append(f"link {link}")
    pid_file = base / "run" / "proxy.pid"
    if pid_file.is_file():
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
            removed.append("proxy")
        pid_file.unlink()
    for proc in Path("/proc").iterdir():
        # a host process whose namespace was deleted but which still runs in a host's root
        with contextlib.suppress(OSError, ValueError):
            if proc.name.isdigit() and str((proc / "root").readlink()).startswith(f"{base}/work/"):
                os.kill(int(proc.name), signal.SIGKILL)
                removed.append(f"process {proc.name}")
    for point in _mounts_under(base / "work"):
        network.run("umount", "-l", point, check=False)
        removed.append(f"mount {point}")
    return removed


class Testbed:
    """Bring up N hosts (``up``), add more (``add_host``), tear everything down (``down``)."""

    __test__ = False

    def __init__(self, *, base: Path = BASE_DIR, cache_dir: Path = CACHE_DIR) -> None:
        self.base = base
        self.cache_dir = cache_dir
        self.work = base / "work"
        self.logs = base / "logs"
        self.hosts: list[TestbedHost] = []
        self.timings: dict[str, float] = {}
        self.account: SshAccount | None = None
        self.leftovers: list[str] = []
        self._lock: IO[str] | None = None
        self._proxy: subprocess.Popen[bytes] | None = None
        self._used_indices: set[int] = set()

    # --- up -----------------------------------------------------------------------------

    def _acquire(self, timeout_s: float = 1800) -> None:
        LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
        self._lock = LOCK_FILE.open("w")
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another testbed holds {LOCK_FILE}") from None
                time.sleep(1)

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = round(time.monotonic() - started, 3)

    def up(self, count: int, *, apt_update: bool = True) -> list[TestbedHost]:
        """Everything from scratch; on any failure what was made is torn down again."""
        self._acquire()
        try:
            self.leftovers = clean_leftovers(self.base)
            for directory in (self.work, self.logs, self.base / "run", self.base / "keys"):
                directory.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            mirror = find_mirror()
            template = ensure_template(
                template_recipe(mirror), cache_dir=self.cache_dir, log=self.logs / "build.log"
            )
            self._timed("template_s", started)
            started = time.monotonic()
            self._prepare_work()
            self._unpack("debian", template)
            self._make_account()
            network.bridge_up()
            self._start_proxy(mirror.hosts)
            self._timed("network_s", started)
            started = time.monotonic()
            for index in range(1, count + 1):
                self.add_host(index)
            self._timed("hosts_up_s", started)
            if apt_update:
                started = time.monotonic()
                self.apt_update(self.hosts)
                self._timed("apt_update_s", started)
        except BaseException:
            self.down()
            raise
        return self.hosts

    def _prepare_work(self) -> None:
        if not self.work.is_mount():
            network.run("mount", "-t", "tmpfs", "-o", "size=6g,mode=755", "tb-work", str(self.work))

    def _unpack(self, kind: str, template: Path) -> Path:
        lower = self.work / f"lower-{kind}"
        if lower.is_dir():
            return lower
        lower.mkdir()
        network.run(
            "tar", "--zstd", "--numeric-owner", "--xattrs", "--xattrs-include=*",
            "-xpf", str(template), "-C", str(lower),
        )  # fmt: skip
        return lower

    def lower(self, kind: str) -> Path:
        """The unpacked template ``debian`` (default) or ``rpm`` (built on first use)."""
        recipes: dict[str, Recipe] = {
            "debian": template_recipe(find_mirror()),
            "rpm": rpm_template_recipe(find_mirror()),
        }
        lower = self.work / f"lower-{kind}"
        if lower.is_dir():
            return lower
        template = ensure_template(
            recipes[kind], cache_dir=self.cache_dir, log=self.logs / "build.log"
        )
        return self._unpack(kind, template)

    def _make_account(self) -> None:
        key = self.base / "keys" / "id_ed25519"
        key.unlink(missing_ok=True)
        key.with_suffix(".pub").unlink(missing_ok=True)
        network.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "testbed", "-f", str(key))
        self.account = SshAccount(key=key, alice_password=secrets.token_urlsafe(12))

    def _start_proxy(self, allowed: frozenset[str]) -> None:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
        args = [sys.executable, "-m", "patchdesk_testing.testbed.proxy"]
        args += ["--listen", f"{network.BRIDGE_IP}:{PROXY_PORT}"]
        for host in sorted(allowed):
            args += ["--allow", host]
        with (self.logs / "proxy.log").open("ab") as log:
            self._proxy = subprocess.Popen(
                args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        (self.base / "run" / "proxy.pid").write_text(str(self._proxy.pid))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection((network.BRIDGE_IP, PROXY_PORT), 1),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"the apt proxy did not start: see {self.logs / 'proxy.log'}")

    def add_host(self, index: int, *, kind: str = "debian") -> TestbedHost:
        """Start host ``index`` from the ``debian`` or the ``rpm`` template."""
        assert self.account is not None, "up() first"
        host = TestbedHost(
            index=index, work=self.work, lower=self.lower(kind), account=self.account,
            logs=self.logs,
        )  # fmt: skip
        self.hosts.append(host)
        host.create()
        return host

    def next_index(self, first: int) -> int:
        """An index no host of this run has used yet (addresses are not reused quickly)."""
        self._used_indices.update(host.index for host in self.hosts)
        index = next(i for i in range(first, 240) if i not in self._used_indices)
        self._used_indices.add(index)
        return index

    def remove_host(self, host: TestbedHost) -> None:
        """Destroy a host (idempotent)."""
        if host in self.hosts:
            host.destroy()
            self.hosts.remove(host)

    def apt_update(self, hosts: list[TestbedHost]) -> None:
        """``apt-get update`` in each host, in parallel, through the proxy."""
        with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as pool:
            list(pool.map(lambda h: h.ssh("apt-get update -q", timeout_s=600), hosts))

    # --- down -----------------------------------------------------------------------------

    def down(self) -> None:
        """Remove hosts, proxy, bridge and mounts; idempotent; releases the lock."""
        started = time.monotonic()
        try:
            for host in list(self.hosts):
                with contextlib.suppress(Exception):
                    host.destroy()
            self.hosts.clear()
            if self._proxy is not None:
                self._proxy.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proxy.wait(timeout=5)
                if self._proxy.poll() is None:
                    self._proxy.kill()
                    self._proxy.wait()
                self._proxy = None
                (self.base / "run" / "proxy.pid").unlink(missing_ok=True)
            network.bridge_down()
            clean_leftovers(self.base)
        finally:
            self._timed("down_s", started)
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    @contextlib.contextmanager
    def running(self, count: int, *, apt_update: bool = True) -> Iterator[list[TestbedHost]]:
        try:
            yield self.up(count, apt_update=apt_update)
        finally:
            self.down()
