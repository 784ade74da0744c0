"""Reasons are shown as sentences in the page's language."""

from __future__ import annotations

from django.utils import translation

from patchdesk.desk.findings.templatetags.findings_labels import reason_text

LOCAL = {
    "kind": "cvss",
    "rule_id": "local-attack-vector",
    "detail": "the attack vector is not remote (CVSS:3.1/AV:L/...)",
    "cwe_id": "",
    "vector_element": "AV:L",
    "source": "nvd",
}


def test_japanese_pages_get_translated_sentences_english_pages_the_detail() -> None:
    with translation.override("ja"):
        assert reason_text(LOCAL) == "攻撃元区分がリモートではありません (AV:L): 対象外です。"
        cwe = {**LOCAL, "kind": "cwe", "rule_id": "rce-memory-corruption", "cwe_id": "CWE-787"}
        assert reason_text(cwe) == "CWE-787 はポリシーの規則 rce-memory-corruption に該当します。"
        override = {**LOCAL, "kind": "override", "rule_id": "operator-override", "detail": "x"}
        assert reason_text(override) == "x"
    with translation.override("en"):
        assert reason_text(LOCAL) == LOCAL["detail"]
