"""Reading attack vector and impacts from CVSS v2, v3.x and v4.0 vectors."""

from __future__ import annotations

import pytest

from patchdesk.engine.policy.cvss import InvalidVector, parse_cvss_vector


def test_v31() -> None:
    metrics = parse_cvss_vector("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert (metrics.version, metrics.attack_vector, metrics.privileges_required) == (
        "3.1",
        "N",
        "N",
    )
    assert (metrics.confidentiality, metrics.integrity, metrics.availability) == ("H", "H", "H")


def test_v40_uses_the_vulnerable_system_impacts() -> None:
    metrics = parse_cvss_vector("CVSS:4.0/AV:A/AC:L/AT:N/PR:L/UI:N/VC:N/VI:N/VA:H/SC:H/SI:H/SA:H")
    assert (metrics.attack_vector, metrics.confidentiality, metrics.availability) == ("A", "N", "H")


def test_v2_partial_and_complete_map_to_low_and_high() -> None:
    metrics = parse_cvss_vector("AV:N/AC:L/Au:N/C:P/I:N/A:C")
    assert metrics.version == "2.0"
    assert (metrics.confidentiality, metrics.integrity, metrics.availability) == ("L", "N", "H")


@pytest.mark.parametrize(
    "vector",
    [
        "",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        "CVSS:3.1/AV:N/AV:L/C:H/I:H/A:H",
        "CVSS:9.9/AV:N/C:H/I:H/A:H",
        "CVSS:3.1/AV:N//C:H",
        "AV:N/AC:L/Au:N/C:X/I:N/A:C",
    ],
)
def test_malformed_vectors_are_refused(vector: str) -> None:
    with pytest.raises(InvalidVector):
        parse_cvss_vector(vector)
