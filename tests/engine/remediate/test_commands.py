"""The commands: only validated values, each quoted; nothing from a request or a host can
change a command's meaning."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patchdesk.engine.model.inventory import WebServer
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import PackageManager
from patchdesk.engine.remediate import commands
from patchdesk.engine.remediate.names import name_problem, version_problem

_DEB_NAMES = st.from_regex(r"[a-z0-9][a-z0-9+.-]{0,40}", fullmatch=True)
_DEB_VERSIONS = st.from_regex(r"(?:[1-9]:)?[0-9][A-Za-z0-9.+~-]{0,20}", fullmatch=True)


@given(names=st.lists(_DEB_NAMES, min_size=1, max_size=5), versions=st.lists(_DEB_VERSIONS))
def test_valid_tokens_survive_the_shell_unchanged(names: list[str], versions: list[str]) -> None:
    pins = [
        f"{name}={version}"
        for name, version in zip(names, versions, strict=False)
        if version_problem(PackageFormat.DPKG, version) is None
    ]
    if pins:
        assert shlex.split(commands.apt_install(pins, lock_wait_s=300))[-len(pins) :] == pins
    simulate = commands.apt_simulate(names, full_upgrade=False)
    assert shlex.split(simulate)[-len(names) :] == names


@given(text=st.text(max_size=40))
def test_anything_else_is_refused_before_it_could_reach_a_command(text: str) -> None:
    safe = set("abcdefghijklmnopqrstuvwxyz0123456789+.-")
    if name_problem(PackageFormat.DPKG, text) is None:
        assert set(text) <= safe
        assert text[0] not in "+.-"
    if name_problem(PackageFormat.RPM, text) is None:
        assert not set(text) & set(" ;|&$`'\"\\<>()*?[]{}!#~\n\t")


def test_apt_commands() -> None:
    update = commands.apt_update(120)
    assert update.endswith("apt-get -q -o DPkg::Lock::Timeout=120 update")
    assert commands.apt_check(5).endswith("apt-get -q -o DPkg::Lock::Timeout=5 check")
    install = commands.apt_install(
        ["libssl3=3.0.22-1~deb12u2", "libexpat1=2.5.0-1+deb12u5"], lock_wait_s=9
    )
    assert install.endswith(
        "apt-get -q -y -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef "
        "-o DPkg::Lock::Timeout=9 --no-install-recommends --no-remove install --only-upgrade "
        "'libssl3=3.0.22-1~deb12u2' libexpat1=2.5.0-1+deb12u5"
    )
    for variable in ("DEBIAN_FRONTEND=noninteractive", "NEEDRESTART_SUSPEND=1", "LC_ALL=C"):
        assert variable in install
    assert "PATH=/usr/sbin:/usr/bin:/sbin:/bin" in install
    assert commands.apt_simulate([], full_upgrade=True).endswith("-o Debug::NoLocking=1 upgrade")
    assert commands.apt_mark_auto(["libexpat1"]).endswith("apt-mark auto libexpat1")


def test_rpm_commands() -> None:
    by_advisory = commands.rpm_transaction(
        PackageManager.DNF, ["openssl-libs"], advisories=["RHSA-2026:1"], full_upgrade=False,
        dry_run=True,
    )  # fmt: skip
    assert by_advisory.endswith(
        "dnf --assumeno --setopt=install_weak_deps=False upgrade --advisory=RHSA-2026:1 "
        "-- openssl-libs"
    )
    security = commands.rpm_transaction(
        PackageManager.YUM, ["openssl"], advisories=[], full_upgrade=False, dry_run=False
    )
    assert security.endswith(
        "yum -y --setopt=install_weak_deps=False upgrade --security -- openssl"
    )
    full = commands.rpm_transaction(
        PackageManager.DNF, [], advisories=[], full_upgrade=True, dry_run=False
    )
    assert full.endswith("dnf -y --setopt=install_weak_deps=False upgrade")
    assert commands.rpm_refresh(PackageManager.DNF).endswith("dnf -q -y makecache")
    wait = commands.rpm_lock_wait(PackageManager.DNF, 30)
    assert "/var/lib/dnf/rpmdb_lock.pid" in wait
    assert '[ "$i" -ge 30 ]' in wait


def test_zypper_commands() -> None:
    by_cve = commands.zypper_transaction(
        ["libopenssl3"], cves=["CVE-2026-1111"], full_upgrade=False, dry_run=True
    )
    assert by_cve.endswith("zypper --non-interactive --xmlout patch --dry-run --cve=CVE-2026-1111")
    listed = commands.zypper_transaction(["libcurl4"], cves=[], full_upgrade=False, dry_run=False)
    assert listed.endswith("zypper --non-interactive --xmlout update --no-recommends -- libcurl4")


def test_the_passphrase_wrapper_cleans_up_however_it_ends() -> None:
    stage = "/tmp/patchdesk.Ab12Cd34Ef"
    script = commands.with_tls_passphrases(
        "service apache2 restart",
        [(WebServer.APACHE, "apache2", stage), (WebServer.NGINX, "nginx", stage)],
    )
    assert "trap cleanup EXIT" in script
    assert "trap 'exit 143' HUP INT TERM" in script
    assert "umask 077" in script
    cleanup = script.split("cleanup() {", 1)[1].split("}", 1)[0]
    for path in (
        "/run/patchdesk-tls",
        "/etc/apache2/conf-enabled/zzz-patchdesk-passphrase.conf",
        "/etc/httpd/conf.d/zzz-patchdesk-passphrase.conf",
        "/etc/nginx/conf.d/zzz-patchdesk-passphrase.conf",
        stage,
    ):
        assert path in cleanup
    assert "SSLPassPhraseDialog exec:/run/patchdesk-tls/apache2.ask" in script
    assert "ssl_password_file /run/patchdesk-tls/nginx.pass;" in script
    assert script.endswith("( service apache2 restart )")


@pytest.mark.parametrize(
    "stage", ["/tmp/patchdesk.x; reboot", "/tmp/other.Ab12Cd34Ef", "/tmp/patchdesk.Ab12Cd34Ef/.."]
)
def test_a_stage_directory_from_the_host_is_checked_before_use(stage: str) -> None:
    with pytest.raises(ValueError, match="unexpected stage directory"):
        commands.with_tls_passphrases("true", [(WebServer.APACHE, "apache2", stage)])


def test_restart_and_reboot() -> None:
    restart = commands.restart_service("apache2")
    assert "systemctl restart apache2.service" in restart
    assert "service apache2 restart" in restart
    assert "systemctl restart nginx.service" in commands.restart_service("nginx.service")
    assert "exit 5" in restart
    reboot = commands.reboot()
    assert "setsid" in reboot
    assert "systemctl reboot" in reboot
    assert reboot.endswith("& echo scheduled")


def test_package_files_and_the_secret_stage() -> None:
    assert commands.package_files(PackageFormat.DPKG, ["libssl3"]).endswith(
        "dpkg -L libssl3 2>/dev/null; true"
    )
    assert "rpm -ql openssl-libs" in commands.package_files(PackageFormat.RPM, ["openssl-libs"])
    assert "umask 077" in commands.STAGE_SECRET
    assert "mktemp -d /tmp/patchdesk.XXXXXXXXXX" in commands.STAGE_SECRET
