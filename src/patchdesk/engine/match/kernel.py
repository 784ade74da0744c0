"""Kernel packages: several may be installed, only the running one is exposed."""

from __future__ import annotations

from patchdesk.engine.model.finding import KernelState
from patchdesk.engine.model.inventory import HostInventory

__all__ = ["kernel_states"]


def kernel_states(inventory: HostInventory) -> dict[tuple[str, str], KernelState]:
    """Installed kernel packages by (name, version), and whether each is the running one."""
    kernel = inventory.kernel
    if kernel is None:
        return {}
    return {
        (installed.package, installed.version): (
            KernelState.RUNNING
            if installed.kernel_release == kernel.running_release
            else KernelState.NOT_RUNNING
        )
        for installed in kernel.installed
    }
