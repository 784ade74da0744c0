"""The policy page: the version in force, a new version checked with the location of its first
error, earlier versions put back in force, the overrides; reclassification in a job."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.findings.models import Classification, PolicyDocument
from patchdesk.desk.findings.policy import policy_document_ensure_default, policy_override_set
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.policy import default_policy_text, load_policy
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.security import CVE_DOS, World

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DEFAULT_VERSION = load_policy(default_policy_text()).version


def _new_version(version: str) -> str:
    text = default_policy_text()
    return text.replace(f'version = "{DEFAULT_VERSION}"', f'version = "{version}"', 1)


@pytest.fixture
def ops(world: World) -> Client:
    policy_document_ensure_default()
    return client_for(world.operator, language="en")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["<h1>Policy</h1>", "In force", "Overrides"]),
        ("ja", ["<h1>ポリシー</h1>", "適用中", "上書き"]),
    ],
)
def test_the_policy_page_renders_in_both_languages(
    world: World, language: str, words: list[str]
) -> None:
    policy_document_ensure_default()
    policy_override_set(
        CVE_DOS, level=SecurityLevel.HIGH, reason="Exploited at a customer", actor=world.operator
    )
    html = page(client_for(world.operator, language=language).get("/console/policy/"))
    for word in [*words, DEFAULT_VERSION, CVE_DOS, "Exploited at a customer"]:
        assert word in html


def test_an_invalid_document_shows_where_and_changes_nothing(world: World, ops: Client) -> None:
    broken = _new_version("2027.01-broken").replace('"CWE-787", "CWE-416"', '"CWE-X", "CWE-416"', 1)
    response = ops.post("/console/policy/", {"text": broken})
    assert response.status_code == 200
    html = page(response)
    assert "The policy document is invalid: rules[1].cwe:" in html
    assert PolicyDocument.objects.get(is_active=True).version == DEFAULT_VERSION
    assert not PolicyDocument.objects.filter(version="2027.01-broken").exists()
    not_toml = ops.post("/console/policy/", {"text": "version = "})
    assert "The policy document is invalid: document: not valid TOML" in page(not_toml)


def test_a_changed_document_under_an_existing_version_is_refused(world: World, ops: Client) -> None:
    changed = default_policy_text().replace("# patchdesk service policy", "# edited", 1)
    response = ops.post("/console/policy/", {"text": changed})
    assert f"A policy document with version {DEFAULT_VERSION} already exists." in page(response)


@override_settings(TASKS=IMMEDIATE)
def test_a_new_version_is_activated_and_every_cve_reclassified(
    world: World, ops: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ops.post("/console/policy/", {"text": _new_version("2027.01-1")}, follow=True)
    assert len(callbacks) == 1
    html = page(response)
    assert "Policy 2027.01-1 is now in force" in html
    assert PolicyDocument.objects.get(is_active=True).version == "2027.01-1"
    assert set(Classification.objects.values_list("policy_version", flat=True)) == {"2027.01-1"}
    assert 'data-version="' + DEFAULT_VERSION + '"' in html, "the earlier version is listed"
    assert AuditEntry.objects.filter(action="policy.activate", actor=world.operator).count() == 1

    earlier = PolicyDocument.objects.get(version=DEFAULT_VERSION)
    with django_capture_on_commit_callbacks(execute=True):
        ops.post(f"/console/policy/{earlier.pk}/activate/")
    assert PolicyDocument.objects.get(is_active=True).version == DEFAULT_VERSION
    assert set(Classification.objects.values_list("policy_version", flat=True)) == {DEFAULT_VERSION}
