"""The policy document: the default loads; a broken edit names the key that is wrong."""

from __future__ import annotations

import pytest

from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.policy import PolicyError, default_policy_text, load_policy

DEFAULT = default_policy_text()


def test_the_default_policy_reproduces_table_1() -> None:
    policy = load_policy(DEFAULT)
    levels = {category.id: category.level for category in policy.categories.values()}
    assert levels == {
        "remote-code-execution": SecurityLevel.HIGH,
        "denial-of-service": SecurityLevel.MEDIUM,
        "information-leak": SecurityLevel.MEDIUM,
        "sql-injection": SecurityLevel.MEDIUM,
        "improper-authentication": SecurityLevel.MEDIUM,
        "cryptographic-issues": SecurityLevel.MEDIUM,
        "resource-management": SecurityLevel.MEDIUM,
    }
    assert policy.remote_attack_vectors == {"N", "A"}
    assert policy.categories["resource-management"].name_ja == "リソース管理の問題 (メモリリーク等)"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('version = "2026.11-1"', 'version = ""', "version"),
        ("schema = 1", "schema = 2", "schema"),
        ('level = "high"', 'level = "urgent"', "categories[0].level"),
        ('cwe = ["CWE-89", "CWE-564"]', 'cwe = ["89"]', "rules[8].cwe"),
        ('category = "sql-injection"\ncwe', 'category = "sqli"\ncwe', "rules[8].category"),
        ('attack_vectors = ["N", "A"]', 'attack_vectors = ["N", "X"]', "remote.attack_vectors"),
        ("[kev]", "[kev]\nsurprise = 1", "kev"),
        ("pattern = '(?i)\\bsql injection\\b'", "pattern = '(unclosed'", "text_rules[1].pattern"),
        ('critical = "remote-code-execution"', 'critical = "panic"', "vendor_severity.critical"),
    ],
)
def test_a_broken_edit_is_refused_with_its_location(old: str, new: str, where: str) -> None:
    assert old in DEFAULT
    with pytest.raises(PolicyError) as caught:
        load_policy(DEFAULT.replace(old, new, 1))
    assert caught.value.where == where


def test_not_toml_at_all() -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy("version = ")
