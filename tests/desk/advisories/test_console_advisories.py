"""The console's advisories: the list with its filters and one advisory with its CVEs'
verdicts, affected packages per platform and the servers it affects."""

from __future__ import annotations

import pytest
from django.test import Client

from patchdesk.desk.advisories.models import Advisory
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.security import CVE_DOS, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(world: World) -> Client:
    return client_for(world.operator, language="en")


def _listed(html: str) -> set[str]:
    return {
        advisory_id
        for advisory_id in Advisory.objects.values_list("advisory_id", flat=True)
        if f'data-advisory="{advisory_id}"' in html
    }


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["<h1>Advisories</h1>", "Confirmed at", "Highest level", "Servers affected"]),
        ("ja", ["<h1>アドバイザリ</h1>", "確認日時", "最も高いレベル", "影響を受けるサーバー"]),
    ],
)
def test_the_list_renders_in_both_languages(world: World, language: str, words: list[str]) -> None:
    html = page(client_for(world.operator, language=language).get("/console/advisories/"))
    for word in words:
        assert word in html
    assert _listed(html) == {"DSA-9001-1", "DSA-9002-1", "DSA-9003-1"}
    row = html[html.index('data-advisory="DSA-9001-1"') :].split("</tr>")[0]
    assert "debian:12" in row
    assert '<td class="servers">2</td>' in row


def test_filters_by_level_platform_and_search(world: World, ops: Client) -> None:
    assert _listed(page(ops.get("/console/advisories/?level=high"))) == {"DSA-9001-1"}
    assert _listed(page(ops.get("/console/advisories/?level=out_of_scope"))) == {"DSA-9003-1"}
    assert _listed(page(ops.get("/console/advisories/?platform=debian:12"))) == {
        "DSA-9001-1",
        "DSA-9002-1",
        "DSA-9003-1",
    }
    assert _listed(page(ops.get("/console/advisories/?platform=almalinux:9"))) == set()
    assert _listed(page(ops.get(f"/console/advisories/?q={CVE_DOS.lower()}"))) == {"DSA-9002-1"}
    assert _listed(page(ops.get("/console/advisories/?q=linux"))) == {"DSA-9003-1"}
    assert _listed(page(ops.get("/console/advisories/?q=9001"))) == {"DSA-9001-1"}
    partial = page(ops.get("/console/advisories/?level=medium", HTTP_HX_REQUEST="true"))
    assert partial.startswith('<div id="advisory-results">')
    assert _listed(partial) == {"DSA-9002-1"}


@pytest.mark.parametrize(("language", "word"), [("en", "References"), ("ja", "参考情報")])
def test_the_detail_shows_verdicts_packages_and_servers(
    world: World, language: str, word: str
) -> None:
    advisory = Advisory.objects.get(advisory_id="DSA-9002-1")
    client = client_for(world.operator, language=language)
    html = page(client.get(f"/console/advisories/{advisory.pk}/"))
    assert word in html
    assert f'<tr data-cve="{CVE_DOS}">' in html
    assert 'data-rule="dos-resource-exhaustion"' in html or "CWE-400" in html
    assert "3.0.13-1~deb12u1" in html
    assert 'data-coverage="not_covered"' in html  # app1 on the Standard plan
    assert 'data-coverage="actionable"' in html  # web1 on the Security Update Service
    assert '<a href="https://security-tracker.debian.org/tracker/DSA-9002-1"' in html
    assert 'href="javascript:alert(1)"' not in html, "references from feeds are not trusted"
    assert client.get("/console/advisories/999999/").status_code == 404
