"""Small parts: the web servers a transaction affects (R13), the answers' parsers, item
evaluation and verification, package differences, masking."""

from __future__ import annotations

from patchdesk.engine.model.inventory import (
    InstalledPackage,
    OriginClass,
    PackageOrigin,
    TlsService,
    WebServer,
)
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemState,
    PlannedItem,
    RequestedItem,
    TransactionAction,
    TransactionEntry,
)
from patchdesk.engine.remediate.items import evaluate_items, verify_items
from patchdesk.engine.remediate.outcome import diff_packages
from patchdesk.engine.remediate.parsers import (
    parse_apt_candidates,
    parse_disk_free,
    parse_file_list,
    parse_showauto,
    parse_tools,
    parse_web_server_maps,
)
from patchdesk.engine.remediate.session import MASK, Masker
from patchdesk.engine.remediate.tls import TlsImpact, affected_tls_services

_ORIGIN = PackageOrigin(kind=OriginClass.OS_VENDOR)
APACHE = TlsService(server=WebServer.APACHE, service="apache2", passphrase_source="builtin",
                    needs_passphrase=True)  # fmt: skip
NGINX = TlsService(server=WebServer.NGINX, service="nginx", passphrase_source="prompt",
                   needs_passphrase=True)  # fmt: skip


def _pkg(name: str, version: str, arch: str = "amd64") -> InstalledPackage:
    return InstalledPackage(name=name, version=version, arch=arch, source_name=name,
                            source_version=version, origin=_ORIGIN)  # fmt: skip


def _up(name: str) -> TransactionEntry:
    return TransactionEntry(action=TransactionAction.UPGRADE, name=name, new_version="2")


def test_a_web_server_is_affected_by_its_own_package_or_a_library_it_maps() -> None:
    mapped = {"apache2": frozenset({"/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/sbin/apache2"})}
    own = affected_tls_services(
        [APACHE, NGINX], [_up("apache2-bin")], mapped={}, replaced_files=frozenset()
    )
    assert own == {"apache2": TlsImpact(why="the update replaces apache2-bin", own_package=True)}
    # merged /usr: dpkg lists /lib/..., the process maps /usr/lib/...
    library = affected_tls_services(
        [APACHE, NGINX],
        [_up("libssl3")],
        mapped=mapped,
        replaced_files=frozenset({"/lib/x86_64-linux-gnu/libssl.so.3"}),
    )
    assert library == {
        "apache2": TlsImpact(
            why="the running server uses /usr/lib/x86_64-linux-gnu/libssl.so.3", own_package=False
        )
    }
    nginx_pkg = affected_tls_services([NGINX], [_up("libnginx-mod-http-geoip")], mapped={},
                                      replaced_files=frozenset())  # fmt: skip
    assert list(nginx_pkg) == ["nginx"]


def test_a_web_server_without_a_passphrase_need_or_not_running_is_not_affected() -> None:
    relaxed = TlsService(server=WebServer.APACHE, service="apache2", passphrase_source="exec:/x")
    files = frozenset({"/usr/lib/x86_64-linux-gnu/libssl.so.3"})
    assert affected_tls_services([relaxed], [_up("apache2")], mapped={}, replaced_files=files) == {}
    assert affected_tls_services([APACHE], [_up("libssl3")], mapped={}, replaced_files=files) == {}
    nginx_maps = {"nginx": files}
    assert affected_tls_services([APACHE], [_up("libssl3")], mapped=nginx_maps,
                                 replaced_files=files) == {}  # fmt: skip


def test_parsers_of_the_small_answers() -> None:
    assert parse_tools(b"apt-get\ndnf\n$(evil)\nsystemd-running\n") == frozenset(
        {"apt-get", "dnf", "systemd-running"}
    )
    df = (
        b"Filesystem     1024-blocks   Used Available Capacity Mounted on\n"
        b"/dev/vda1       20511312 9876543  9586192      51% /\n"
        b"/dev/vda1       20511312 9876543  9586192      51% /\n"
        b"/dev/vdb1        1000000  990000     10000      99% /srv/my data\n"
    )
    rows = parse_disk_free(df)
    assert [(r.mount, r.available_kib) for r in rows] == [("/", 9586192), ("/srv/my data", 10000)]
    shown = (
        b"Package: bash\nSource: bash (5.2.15-2)\nVersion: 5.2.15-2+b13\n\n"
        b"Package: libssl3\nSource: openssl\nVersion: 3.0.22-1~deb12u2\n\n"
        b"Package: apt\nVersion: 2.6.2\nDescription: x\n continued: line\n\n"
        b"Package: evil;x\nVersion: 1\n"
    )
    assert parse_apt_candidates(shown) == {
        ("bash", "5.2.15-2+b13"): "5.2.15-2",
        ("libssl3", "3.0.22-1~deb12u2"): "3.0.22-1~deb12u2",
        ("apt", "2.6.2"): "2.6.2",
    }
    assert parse_showauto(b"libexpat1\nlibssl3:i386\nBad Name\n") == frozenset(
        {"libexpat1", "libssl3"}
    )
    maps = b"apache2\t/usr/lib/libssl.so.3\nevil\t/x\napache2\tnot-a-path\nnginx\t/usr/sbin/nginx\n"
    assert parse_web_server_maps(maps) == {
        "apache2": frozenset({"/usr/lib/libssl.so.3"}),
        "nginx": frozenset({"/usr/sbin/nginx"}),
    }
    assert parse_file_list(b"/.\n/usr/lib/x.so\nrelative\n") == frozenset({"/.", "/usr/lib/x.so"})


def test_items_against_packages_before_and_after() -> None:
    requests = [
        RequestedItem(package="libssl3", min_version="3.0.22"),
        RequestedItem(package="zlib1g", min_version="1:1.2"),
        RequestedItem(package="curl", min_version="8"),
    ]
    before = [_pkg("libssl3", "3.0.20"), _pkg("libssl3", "3.0.22", "i386"), _pkg("zlib1g", "1:1.3")]
    evaluation = evaluate_items(requests, before, PackageFormat.DPKG)
    assert [i.state for i in evaluation.items] == [
        ItemState.TO_UPDATE,
        ItemState.ALREADY_FIXED,
        ItemState.NOT_INSTALLED,
    ]
    assert [(p.name, p.arch) for p in evaluation.packages] == [("libssl3", "amd64")]
    after = [_pkg("libssl3", "3.0.22"), _pkg("libssl3", "3.0.22", "i386"), _pkg("zlib1g", "1:1.1")]
    results = verify_items(evaluation.items, after, PackageFormat.DPKG)
    assert [r.outcome for r in results] == [
        ItemOutcome.FIXED,
        ItemOutcome.NOT_FIXED,  # was fixed, is not any more: never reported as fine
        ItemOutcome.NOT_INSTALLED,
    ]
    assert [r.outcome for r in verify_items(evaluation.items, None, PackageFormat.DPKG)] == [
        ItemOutcome.NOT_VERIFIED,
        ItemOutcome.ALREADY_FIXED,
        ItemOutcome.NOT_INSTALLED,
    ]
    gone = verify_items(evaluation.items[:1], [], PackageFormat.DPKG)
    assert gone[0].outcome is ItemOutcome.NOT_INSTALLED
    half = PlannedItem(request=requests[0], state=ItemState.TO_UPDATE)
    partly = verify_items([half], [_pkg("libssl3", "3.0.22"), _pkg("libssl3", "3.0.1", "i386")],
                          PackageFormat.DPKG)  # fmt: skip
    assert partly[0].outcome is ItemOutcome.NOT_FIXED
    assert partly[0].version_after == "3.0.1"


def test_package_differences_and_what_the_dry_run_announced() -> None:
    before = [_pkg("a", "1"), _pkg("b", "1"), _pkg("gone", "1")]
    after = [_pkg("a", "2"), _pkg("b", "3"), _pkg("new", "1")]
    approved = [_up("a"), TransactionEntry(action=TransactionAction.UPGRADE, name="b",
                                          new_version="2")]  # fmt: skip
    changes = {
        (c.name, c.before, c.after, c.is_expected) for c in diff_packages(before, after, approved)
    }
    assert changes == {
        ("a", "1", "2", True),
        ("b", "1", "3", False),  # not the version the dry run showed
        ("gone", "1", "", False),
        ("new", "", "1", False),
    }


def test_masking_longest_secret_first_and_never_empty() -> None:
    mask = Masker(["abc", "abcdef", "", None])
    assert mask("x abcdef y abc") == f"x {MASK} y {MASK}"
    assert Masker([])("nothing") == "nothing"
