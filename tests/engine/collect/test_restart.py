"""Reboot and restart checks: needrestart, needs-restarting, reboot-required, /proc maps."""

from __future__ import annotations

from engine.collect.support import output
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.restart import (
    parse_deleted_maps,
    parse_needrestart,
    parse_needs_restarting_reboot,
    parse_needs_restarting_services,
    parse_reboot_required_file,
)
from patchdesk.engine.model.inventory import ServiceRestart


def test_real_needrestart_batch_output_without_systemd() -> None:
    report, rejections = parse_needrestart(
        output("debian12-needrestart-root", commands.NEEDRESTART)
    )
    assert rejections.count == 0
    assert report.reboot is None  # KSTA 0: needrestart could not tell (a container kernel)
    assert report.services == (ServiceRestart(name="ssh"),)


def test_needrestart_pending_kernel_and_services() -> None:
    data = (
        b"NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.1.0-18-amd64\n"
        b"NEEDRESTART-KEXP: 6.1.0-21-amd64\nNEEDRESTART-KSTA: 3\nNEEDRESTART-UCSTA: 2\n"
        b"NEEDRESTART-SVC: nginx.service\nNEEDRESTART-SVC: systemd-journald.service\n"
        b"NEEDRESTART-SVC: bad;name\nNEEDRESTART-SESS: alice @ session #3\n"
    )
    report, rejections = parse_needrestart(data)
    assert report.reboot is not None
    assert report.reboot.is_required
    assert report.reboot.reasons == (
        "needrestart: kernel version upgrade pending (6.1.0-21-amd64)",
        "needrestart: CPU microcode update pending",
    )
    assert [s.name for s in report.services] == ["nginx.service", "systemd-journald.service"]
    assert rejections.count == 1


def test_needrestart_no_pending_kernel() -> None:
    report, _ = parse_needrestart(b"NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 1\n")
    assert report.reboot is not None
    assert not report.reboot.is_required


def test_needs_restarting_reboot_hint_by_exit_status() -> None:
    text = (
        b"Core libraries or services have been updated since boot-up:\n"
        b"  * kernel\n  * glibc\n\nReboot is required to fully utilize these updates.\n"
        b"More information: https://access.redhat.com/solutions/27943\n"
    )
    hint, _ = parse_needs_restarting_reboot(text, 1)
    assert hint is not None
    assert hint.is_required
    assert hint.reasons == (
        "needs-restarting: kernel updated since boot",
        "needs-restarting: glibc updated since boot",
    )
    no_reboot, _ = parse_needs_restarting_reboot(
        b"No core libraries or services have been updated since boot-up.\n"
        b"Reboot should not be necessary.\n",
        0,
    )
    assert no_reboot is not None
    assert not no_reboot.is_required
    assert parse_needs_restarting_reboot(b"", 2)[0] is None  # the tool failed: unknown


def test_needs_restarting_services_ignores_chatter() -> None:
    data = (
        b"Updating Subscription Management repositories.\n"
        b"sshd.service\nchronyd.service\nsshd.service\n"
    )
    services, _ = parse_needs_restarting_services(data)
    assert [s.name for s in services] == ["sshd.service", "chronyd.service"]


def test_reboot_required_file() -> None:
    hint, rejections = parse_reboot_required_file(
        b"reboot-required\nlinux-image-6.1.0-21-amd64\nlibc6\nlibc6\n$(reboot)\n"
    )
    assert hint.is_required
    assert hint.packages == ("linux-image-6.1.0-21-amd64", "libc6")
    assert rejections.count == 1
    assert not parse_reboot_required_file(b"")[0].is_required


def test_real_deleted_binary_found_in_proc_maps() -> None:
    data = output("debian12-scenarios-deploy-sudo", commands.PROC_MAPS_DELETED)
    services, rejections = parse_deleted_maps(data)
    assert rejections.count == 0
    assert len(services) == 1
    assert services[0].name == "pdtestd"  # no systemd unit: the process name
    assert services[0].deleted_files == ("/usr/sbin/pdtestd",)
    assert len(services[0].pids) == 1


def test_deleted_libraries_grouped_by_systemd_unit_data_files_ignored() -> None:
    data = (
        b"@@patchdesk maps@@\n"
        b"/proc/10/maps:7f00-7f01 r-xp 00000000 fd:01 11   "
        b"/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)\n"
        b"/proc/11/maps:7f00-7f01 r-xp 00000000 fd:01 11   "
        b"/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)\n"
        b"/proc/12/maps:7f00-7f01 r--p 00000000 fd:01 12   "
        b"/usr/lib/locale/locale-archive (deleted)\n"
        b"/proc/13/maps:7f00-7f01 rw-s 00000000 00:01 13   /dev/shm/x (deleted)\n"
        b"/proc/14/maps:garbage line\n"
        b"@@patchdesk comm@@\n/proc/10/comm:nginx\n/proc/11/comm:nginx\n/proc/12/comm:bash\n"
        b"@@patchdesk cgroup@@\n/proc/10/cgroup:0::/system.slice/nginx.service\n"
        b"/proc/11/cgroup:0::/system.slice/nginx.service\n"
    )
    services, rejections = parse_deleted_maps(data)
    assert services == (
        ServiceRestart(
            name="nginx.service",
            pids=(10, 11),
            deleted_files=("/usr/lib/x86_64-linux-gnu/libssl.so.3",),
        ),
    )
    assert rejections.count == 1
