"""The fleet index answers "who is affected by this advisory" exactly like full matching."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from patchdesk.engine.match import AdvisoryIndex, FleetIndex, Matcher
from patchdesk.engine.model import FixStatus
from patchdesk.engine.model.inventory import OriginClass
from patchdesk_testing.inventory import DEBIAN, fix, host, pkg

VERSIONS = ["1.0-1", "1.0-2", "1:0.9-1", "1.0-1+deb12u1", "1.0-1~bpo1", "2.0-1", "1.0-1+b1"]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_fleet_answer_equals_per_host_matching(seed: int) -> None:
    rng = random.Random(seed)
    inventories = [
        host(
            DEBIAN,
            *[
                pkg(
                    f"lib{name}",
                    rng.choice(VERSIONS),
                    source=name,
                    origin=rng.choice([OriginClass.OS_VENDOR, OriginClass.THIRD_PARTY]),
                )
                for name in rng.sample(["a", "b", "c", "d"], k=rng.randint(1, 4))
            ],
            target=f"ssh://h{number}",
        )
        for number in range(rng.randint(1, 12))
    ]
    advisory = fix(
        "DSA-R",
        rng.choice(["a", "b", "c", "d"]),
        rng.choice([*VERSIONS, None]),
        introduced=rng.choice([None, "1.0-1"]),
    )
    fleet = FleetIndex.build(inventories).affected_by(advisory)
    matcher = Matcher(AdvisoryIndex.from_advisories([advisory]))
    expected = {
        result.target: {f.package for f in result.findings}
        for result in matcher.match_hosts(inventories)
        if result.findings
    }
    assert fleet == expected
    assert advisory.affected[0].status in {FixStatus.FIXED, FixStatus.NO_FIX_YET}
