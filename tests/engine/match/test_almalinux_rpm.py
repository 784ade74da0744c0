"""AlmaLinux 9: rpm inventories in real ``rpm -qa`` format, built from the OSV data, matched
against the complete AlmaLinux 9 OSV database; every verdict checked with rpm's own
comparison (python3-rpm under the system interpreter, one helper process)."""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest

from engine.collect.support import recording, replace_output, replay
from engine.versions.support_oracles import rpm_oracle_problem, rpm_request_many
from patchdesk.engine.collect import commands
from patchdesk.engine.feeds.osv_files import read_osv_export
from patchdesk.engine.match import AdvisoryIndex, Matcher
from patchdesk.engine.model import AdvisoryKind
from patchdesk_testing.paths import shared_data
from patchdesk_testing.plugin import require

pytestmark = pytest.mark.slow

ALMA9 = shared_data("almalinux-osv", "almalinux9.osv.jsonl.xz")
OS_RELEASE = (
    'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\n'
    'ID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\n'
    'PRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n'
)
_EVR = re.compile(r"^(?:(?P<epoch>\d+):)?(?P<version>[^-]+)-(?P<release>.+)$")


def _host_with(packages: list[tuple[str, str]]) -> object:
    """A replayed AlmaLinux 9 host whose rpm database holds ``packages`` (name, EVR)."""
    rpm_lines, repo_lines = [], []
    for name, evr in packages:
        parts = _EVR.match(evr)
        assert parts is not None, evr
        epoch = parts.group("epoch") or "(none)"
        version, release = parts.group("version"), parts.group("release")
        rpm_lines.append(
            f"{name}\t{epoch}\t{version}\t{release}\tx86_64\tAlmaLinux\t"
            f"{name}-{version}-{release}.src.rpm"
        )
        repo_lines.append(
            f"{name}\t{parts.group('epoch') or 0}\t{version}\t{release}\tx86_64\tbaseos\n"
        )
    rec = recording("rpm-simulated-rocky9-deploy-sudo")
    identity = next(c.stdout for c in rec.commands if c.command == commands.IDENTITY).decode()
    head, _, rest = identity.partition("@@patchdesk os-release@@\n")
    _, _, tail = rest.partition("\n\n@@")
    identity = f"{head}@@patchdesk os-release@@\n{OS_RELEASE}\n@@{tail}"
    rec = replace_output(rec, commands.IDENTITY, identity.encode())
    rec = replace_output(rec, commands.RPM_QUERY, ("\n".join(rpm_lines) + "\n").encode())
    rec = replace_output(rec, commands.DNF_REPOQUERY, "\n".join(repo_lines).encode())
    return replay(rec, match_stdin=False)


def test_almalinux9_rpm_inventories_match_like_rpm_says() -> None:
    require("rpm (python3-rpm)", rpm_oracle_problem())
    parsed = read_osv_export(ALMA9, source="osv")
    security = [a for a in parsed.records if a.kind == AdvisoryKind.SECURITY]
    fixes: dict[str, list[tuple[str, str]]] = defaultdict(list)  # name → (advisory, fixed EVR)
    for advisory in security:
        for affected in advisory.affected:
            if affected.platform_key == "almalinux:9" and affected.fixed_version:
                fixes[affected.package].append((advisory.id, affected.fixed_version))
    rng = random.Random(9)
    names = sorted(name for name, found in fixes.items() if len({v for _, v in found}) >= 3)
    chosen = sorted(rng.sample(names, 80))
    installed = [(name, rng.choice(sorted({v for _, v in fixes[name]}))) for name in chosen]

    inventory = _host_with(installed)
    assert inventory.error is None, inventory.error  # type: ignore[attr-defined]
    assert inventory.platform.key == "almalinux:9"  # type: ignore[attr-defined]
    result = Matcher(AdvisoryIndex.from_advisories(security)).match_host(inventory)  # type: ignore[arg-type]
    got = {(f.package, f.advisory_id) for f in result.findings}

    pairs = [(evr, fixed) for name, evr in installed for _, fixed in fixes[name]]
    answers = rpm_request_many("V", pairs)
    expected = set()
    index = 0
    for name, _evr in installed:
        for advisory_id, _fixed in fixes[name]:
            if answers[index] == -1:
                expected.add((name, advisory_id))
            index += 1
    assert None not in answers
    assert expected, "some installed versions are older than a later fix"
    assert got == expected
    assert len(inventory.packages) == len(installed)  # type: ignore[attr-defined]
    assert result.cannot_evaluate == ()
    assert result.out_of_scope_findings == ()
