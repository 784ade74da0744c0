"""Real host: a kernel fix that ships in a new ABI package, pulled in by the flavour's
metapackage (the Debian way), on a testbed host with a synthetic kernel (the testbed's rootfs
has none): ``linux-image-1.0.0-1-pdtest`` and its metapackage ``linux-image-pdtest`` are
installed; the update's metapackage depends on the new ``linux-image-1.0.0-2-pdtest``.

The running kernel is the machine's own (the collector reads ``uname -r``, which a testbed
host cannot fake), so the fixed kernel is installed but never running here: the item ends
``fixed_pending_reboot``. The replays in ``test_kernel.py`` change the running release.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.remediate.testbed_support import dpkg_state, plan, run, scan, target
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemState,
    KernelTarget,
    RequestedItem,
    TransactionAction,
    VersionBasis,
    WorkPhase,
    WorkStatus,
)
from patchdesk_testing.testbed import remediation
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.testbed import Testbed

pytestmark = pytest.mark.testbed

HostFactory = Callable[..., TestbedHost]
OLD = "linux-image-1.0.0-1-pdtest"
NEW = "linux-image-1.0.0-2-pdtest"
META = "linux-image-pdtest"


def test_a_kernel_fix_installs_the_new_abi_package_through_the_metapackage(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory()
    updates, port = remediation.DEB_KERNEL_UPDATES, remediation.DEB_KERNEL_REPO_PORT
    with remediation.serve_deb_security_repository(updates, port) as www:
        remediation.install_deb_security_scenario(host, www, updates)
        to = target(testbed, host, "deploy")
        (inventory,) = scan(to)
        assert inventory.kernel is not None
        assert {(k.package, k.kernel_release) for k in inventory.kernel.installed} == {
            (OLD, "1.0.0-1-pdtest")
        }
        assert inventory.kernel.running_release != "1.0.0-1-pdtest"
        # the request as the desk makes it from a source-name finding on the kernel image
        (old,) = [p for p in inventory.packages if p.name == OLD]
        assert (old.source_name, old.source_version) == ("linux", "1.0.0-1")
        item = RequestedItem(
            package=OLD, min_version="1.0.0-2", basis=VersionBasis.SOURCE, advisory_id="DSA-K"
        )
        work = plan([item], inventory)
        assert work.items[0].state is ItemState.TO_UPDATE
        assert work.items[0].kernel == KernelTarget(flavour="pdtest", metapackages=(META,))
        assert [p.name for p in work.packages] == [META]
        before = dpkg_state(host)

        result = run(work, to)

        assert result.status is WorkStatus.DONE, result.issues
        assert {(e.action, e.name, e.new_version) for e in result.transaction} == {
            (TransactionAction.INSTALL, NEW, "1.0.0-2"),
            (TransactionAction.UPGRADE, META, "1.0.0-2"),
        }
        after = dpkg_state(host)
        changed = {key: (before.get(key), after.get(key)) for key in before.keys() | after.keys()
                   if before.get(key) != after.get(key)}  # fmt: skip
        # exactly the new ABI package installed and the metapackage upgraded; nothing removed
        assert changed == {(NEW, "all"): (None, "1.0.0-2"), (META, "all"): ("1.0.0-1", "1.0.0-2")}
        assert after[(OLD, "all")] == "1.0.0-1"
        assert all(c.is_expected for c in result.changes)
        (verified,) = result.items
        assert verified.outcome is ItemOutcome.FIXED_PENDING_REBOOT
        assert (verified.version_before, verified.version_after) == ("1.0.0-1", "1.0.0-2")
        assert result.reboot_required is True
        assert not result.rebooted
        # apt's own view, through OpenSSH: the new kernel is marked automatically installed
        assert NEW in host.ssh("apt-mark showauto").stdout.split()

        # a retry plans a reboot only: no package command is run, the item still waits
        (rescanned,) = scan(to)
        again = plan([item], rescanned)
        assert again.items[0].state is ItemState.REBOOT_ONLY
        assert again.packages == ()
        retry = run(again, to)
        assert retry.status is WorkStatus.DONE, retry.issues
        assert [i.outcome for i in retry.items] == [ItemOutcome.FIXED_PENDING_REBOOT]
        assert not any(s.phase is WorkPhase.APPLY for s in retry.steps)
        assert not any(s.phase is WorkPhase.DRY_RUN for s in retry.steps)
        assert dpkg_state(host) == after
