"""Real hosts: patchdesk's findings equal apt's own list of pending security updates.

A testbed host (bookworm only, so it has real pending bookworm-security updates) is scanned;
the advisories are derived in air-gapped mode from the mirror the host itself is configured
with (candidate ``.deb`` changelogs); the matcher's findings are then compared with what
``apt-get -s upgrade`` on the host says, computed now (the ground truth moves with the mirror).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest

from patchdesk.engine import versions
from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.feeds.debian_mirror import sync_debian_mirror
from patchdesk.engine.feeds.debian_sources import parse_one_line_sources
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.match import AdvisoryIndex, Matcher
from patchdesk.engine.model import AdvisoryKind
from patchdesk.engine.transport import SshCredentials, SshTarget
from patchdesk_testing.testbed.oracles import pending_security
from patchdesk_testing.testbed.testbed import Testbed

pytestmark = pytest.mark.testbed


def test_findings_equal_apts_pending_security_updates(testbed: Testbed) -> None:
    host = testbed.hosts[0]
    assert testbed.account is not None
    target = SshTarget(
        host=host.ip,
        credentials=SshCredentials(
            username="root", private_keys=(testbed.account.key.read_text(),)
        ),
    )
    (inventory,) = asyncio.run(scan_hosts([target], clock=lambda: datetime.now(UTC)))
    assert inventory.error is None, inventory.error
    assert inventory.platform is not None

    expected = pending_security(host)
    assert expected, "a bookworm-only host always has pending bookworm-security updates"

    sources_text = "\n".join(
        host.path(name).read_text(encoding="utf-8")
        for name in ("/etc/apt/sources.list", "/etc/apt/sources.list.d/security.list")
    )
    sources = parse_one_line_sources(sources_text, origin="testbed")
    assert not sources.rejected
    derived = sync_debian_mirror(
        UrllibHttpClient(timeout_s=120),
        sources=sources.records,
        installed=inventory.packages,
        platform_key=inventory.platform.key,
        architecture="amd64",
    )
    security = [a for a in derived.records if a.kind == AdvisoryKind.SECURITY]
    assert security, derived.rejected

    result = Matcher(AdvisoryIndex.from_advisories(security)).match_host(inventory)
    newest: dict[str, str] = {}
    for finding in result.findings:
        assert finding.fixed_version is not None
        current = newest.get(finding.package)
        if current is None or versions.compare("dpkg", finding.fixed_version, current) > 0:
            newest[finding.package] = finding.fixed_version
    # Same packages; the fixed (source) version is the candidate, or its binNMU (+bN).
    assert set(newest) == set(expected), (sorted(newest), sorted(expected))
    for package, candidate in expected.items():
        fixed = newest[package]
        assert candidate == fixed or re.fullmatch(re.escape(fixed) + r"\+b\d+", candidate), (
            package,
            fixed,
            candidate,
        )
