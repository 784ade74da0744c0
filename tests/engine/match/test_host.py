"""Matching installed packages against advisories: names, versions, arches, kernels, origins."""

from __future__ import annotations

from patchdesk.engine.match import AdvisoryIndex, Matcher
from patchdesk.engine.model import Advisory, FixStatus, PackageFormat, PackageNameKind
from patchdesk.engine.model.finding import HostMatch, KernelState, MatchMethod
from patchdesk.engine.model.inventory import (
    HostInventory,
    InstalledKernel,
    KernelInfo,
    OriginClass,
)
from patchdesk_testing.inventory import ALMA, DEBIAN, fix, host, pkg


def match(inventory: HostInventory, *advisories: Advisory) -> HostMatch:
    return Matcher(AdvisoryIndex.from_advisories(advisories)).match_host(inventory)


def test_source_advisory_compares_the_source_version_of_a_binnmu() -> None:
    """bash 5.2.15-2+b13 is built from source 5.2.15-2: the source version is compared."""
    inventory = host(DEBIAN, pkg("bash", "5.2.15-2+b13", source="bash", source_version="5.2.15-2"))
    vulnerable = match(inventory, fix("DSA-1", "bash", "5.2.15-3"))
    assert [f.advisory_id for f in vulnerable.findings] == ["DSA-1"]
    finding = vulnerable.findings[0]
    assert (finding.match_method, finding.compared_version) == (MatchMethod.SOURCE_NAME, "5.2.15-2")
    assert finding.installed_version == "5.2.15-2+b13"
    fixed = match(inventory, fix("DSA-2", "bash", "5.2.15-2"))
    assert fixed.findings == ()


def test_epochs_and_tilde_decide_like_dpkg() -> None:
    inventory = host(DEBIAN, pkg("openssh-server", "1:9.2p1-2+deb12u3", source="openssh"))
    assert match(inventory, fix("DSA-3", "openssh", "1:9.2p1-2+deb12u5")).findings
    assert not match(inventory, fix("DSA-4", "openssh", "9.9p1-1")).findings  # no epoch: older
    tilde = host(DEBIAN, pkg("libssl3", "3.0.20-1~deb12u2", source="openssl"))
    assert match(tilde, fix("DSA-5", "openssl", "3.0.20-1")).findings  # ~ sorts before


def test_rpm_binary_names_arches_and_no_fix_yet() -> None:
    inventory = host(
        ALMA,
        pkg("openssh", "8.7p1-38.el9", arch="x86_64", source="openssh"),
        pkg("curl", "7.76.1-26.el9", arch="x86_64"),
    )
    result = match(
        inventory,
        fix(
            "ALSA-2024:4312",
            "openssh",
            "8.7p1-38.el9_4.1",
            platform="almalinux:9",
            kind=PackageNameKind.BINARY,
            fmt=PackageFormat.RPM,
        ),
        fix(
            "ALSA-X",
            "curl",
            "7.76.1-27.el9",
            platform="almalinux:9",
            kind=PackageNameKind.BINARY,
            fmt=PackageFormat.RPM,
            arches=("aarch64",),
        ),
        fix(
            "ALSA-Y",
            "curl",
            None,
            platform="almalinux:9",
            kind=PackageNameKind.BINARY,
            fmt=PackageFormat.RPM,
        ),
    )
    found = {(f.advisory_id, f.fixed_version, f.fix_status) for f in result.findings}
    assert found == {
        ("ALSA-2024:4312", "8.7p1-38.el9_4.1", FixStatus.FIXED),
        ("ALSA-Y", None, FixStatus.NO_FIX_YET),
    }


def test_not_affected_and_introduced_bounds() -> None:
    inventory = host(DEBIAN, pkg("libexpat1", "2.5.0-1", source="expat"))
    assert not match(inventory, fix("D-1", "expat", None, status=FixStatus.NOT_AFFECTED)).findings
    assert not match(inventory, fix("D-2", "expat", "2.6.0-1", introduced="2.5.1-1")).findings
    assert match(inventory, fix("D-3", "expat", "2.6.0-1", introduced="2.5.0-1")).findings


def test_only_the_running_kernel_is_exposed() -> None:
    kernel = KernelInfo(
        running_release="6.1.0-18-amd64",
        installed=(
            InstalledKernel(
                package="linux-image-6.1.0-18-amd64",
                version="6.1.76-1",
                kernel_release="6.1.0-18-amd64",
            ),
            InstalledKernel(
                package="linux-image-6.1.0-20-amd64",
                version="6.1.85-1",
                kernel_release="6.1.0-20-amd64",
            ),
        ),
        is_running_packaged=True,
    )
    inventory = host(
        DEBIAN,
        pkg("linux-image-6.1.0-18-amd64", "6.1.76-1", source="linux"),
        pkg("linux-image-6.1.0-20-amd64", "6.1.85-1", source="linux"),
        kernel=kernel,
    )
    result = match(inventory, fix("DSA-K", "linux", "6.1.90-1"))
    assert [(f.package, f.kernel_state) for f in result.findings] == [
        ("linux-image-6.1.0-18-amd64", KernelState.RUNNING)
    ]


def test_third_party_packages_are_reported_apart() -> None:
    inventory = host(DEBIAN, pkg("nginx", "1.22.1-9", origin=OriginClass.THIRD_PARTY))
    result = match(inventory, fix("DSA-N", "nginx", "1.22.1-9+deb12u1"))
    assert result.findings == ()
    assert [f.advisory_id for f in result.out_of_scope_findings] == ["DSA-N"]


def test_unknown_platform_and_invalid_versions_are_never_silently_clean() -> None:
    unknown = match(host(None, pkg("bash", "5.2")), fix("DSA-1", "bash", "5.3"))
    assert not unknown.is_platform_known
    assert [c.reason for c in unknown.cannot_evaluate] == ["the operating system is unknown"]
    no_data = match(host(ALMA, pkg("bash", "5.1-1.el9")), fix("DSA-1", "bash", "5.3"))
    assert (
        no_data.cannot_evaluate[0].reason == "no advisories for almalinux:9 in the advisory store"
    )
    garbled = match(host(DEBIAN, pkg("bash", "5.2 evil", source="bash")), fix("D", "bash", "5.3"))
    assert garbled.findings == ()
    assert garbled.cannot_evaluate[0].reason.startswith("invalid version:")


def test_each_distinct_package_is_compared_once_across_hosts() -> None:
    index = AdvisoryIndex.from_advisories([fix("DSA-1", "bash", "5.3")])
    matcher = Matcher(index)
    for number in range(50):
        matcher.match_host(
            host(DEBIAN, pkg("bash", "5.2-1"), pkg("zsh", "5.9-4"), target=f"ssh://web{number}")
        )
    assert matcher.distinct_packages_compared == 2


def test_invalid_fixed_versions_are_rejected_while_building_the_index() -> None:
    index = AdvisoryIndex.from_advisories([fix("DSA-1", "bash", "x:1"), fix("DSA-2", "zsh", "5")])
    assert [r.record_id for r in index.rejected] == ["DSA-1"]
    assert index.lookup("debian:12", PackageNameKind.SOURCE, "zsh")
