"""The testbed network: one bridge on the machine and one namespace (+ veth) per host.

Names start with ``tb-`` and addresses are in 10.213.0.0/24: the bridge is 10.213.0.1, host
N is 10.213.0.(10+N). Namespaces get no default route, so nothing inside can reach anything
but the bridge (where the apt proxy listens). Every step is idempotent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

__all__ = [
    "BRIDGE",
    "BRIDGE_IP",
    "PREFIX",
    "bridge_down",
    "bridge_up",
    "host_ip",
    "is_alive",
    "leftover_namespaces",
    "namespace_down",
    "namespace_pids",
    "namespace_up",
    "run",
]

PREFIX = "tb-"
BRIDGE = "tb-br0"
BRIDGE_IP = "10.213.0.1"
_NETNS_DIR = Path("/run/netns")


def run(
    *args: str, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a machine command; on failure raise with its stderr."""
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120, cwd=cwd)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}"
        )
    return result


def host_ip(index: int) -> str:
    return f"10.213.0.{10 + index}"


def namespace(index: int) -> str:
    return f"{PREFIX}h{index}"


def bridge_up() -> None:
    if run("ip", "link", "show", BRIDGE, check=False).returncode == 0:
        return
    run("ip", "link", "add", BRIDGE, "type", "bridge")
    run("sysctl", "-qw", f"net.ipv6.conf.{BRIDGE}.disable_ipv6=1")
    run("ip", "addr", "add", f"{BRIDGE_IP}/24", "dev", BRIDGE)
    run("ip", "link", "set", BRIDGE, "up")


def bridge_down() -> None:
    run("ip", "link", "del", BRIDGE, check=False)


def namespace_up(index: int) -> str:
    """Create host ``index``'s namespace with its veth on the bridge; return its name."""
    name, veth = namespace(index), f"{PREFIX}v{index}"
    run("ip", "netns", "add", name)
    run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name)
    run("ip", "link", "set", veth, "master", BRIDGE, "up")
    run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
    run("ip", "netns", "exec", name, "ip", "addr", "add", f"{host_ip(index)}/24", "dev", "eth0")
    run("ip", "netns", "exec", name, "ip", "link", "set", "eth0", "up")
    return name


def namespace_pids(name: str) -> list[int]:
    result = run("ip", "netns", "pids", name, check=False)
    return [int(pid) for pid in result.stdout.split() if pid.isdigit()]


def is_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _kill_all(pids: list[int]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and any(is_alive(p) for p in pids):
            time.sleep(0.05)


def namespace_down(name: str, index: int | None = None) -> None:
    """Kill what runs in the namespace, then delete it and its veth."""
    _kill_all(namespace_pids(name))
    if index is not None:
        run("ip", "link", "del", f"{PREFIX}v{index}", check=False)
        # a new host at this address has another MAC: forget the old one
        run("ip", "neigh", "flush", "to", host_ip(index), "dev", BRIDGE, check=False)
    run("ip", "netns", "del", name, check=False)


def leftover_namespaces() -> list[str]:
    if not _NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in _NETNS_DIR.iterdir() if p.name.startswith(f"{PREFIX}h"))
