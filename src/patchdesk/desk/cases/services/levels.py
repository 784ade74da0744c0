"""An advisory's level for the announcement, and the default response-policy texts."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from patchdesk.desk.advisories.models import Advisory, AdvisoryCve
from patchdesk.desk.findings.models import Classification
from patchdesk.desk.findings.selectors import policy_categories
from patchdesk.engine.model.classification import SecurityLevel

__all__ = ["advisory_level", "category_name", "default_response_policy"]


def advisory_level(advisory: Advisory) -> tuple[str, str]:
    """The highest verdict among the advisory's CVEs (its own id when it names none), with the
    category of that verdict; ``("", "")`` while nothing is classified."""
    ids = list(AdvisoryCve.objects.filter(advisory=advisory).values_list("cve_id", flat=True))
    rows = list(Classification.objects.filter(cve_id__in=ids or [advisory.advisory_id]))
    if not rows:
        return "", ""
    best = max(rows, key=lambda row: (SecurityLevel(row.level).rank, row.cve_id))
    return best.level, best.category


def category_name(category_id: str, language: str) -> str:
    category = policy_categories().get(category_id)
    if category is None:
        return category_id
    return category.name_ja if language.startswith("ja") else category.name_en


def default_response_policy(level: str, category_id: str, language: str) -> str:
    """The provider's standard response policy for a level, in ``language`` (editable)."""
    with translation.override(language):
        params = {"category": category_name(category_id, language) or level}
        if level == SecurityLevel.HIGH:
            text = _(
                "Level High (%(category)s): an attacker could run commands on an affected server "
                "remotely. We apply the OS vendor's updated packages to the affected servers you "
                "request, in business hours (weekdays 10:00-18:00, Japan time); work outside "
                "business hours is possible with a quote. Servers without the package need no "
                "action. Please request the countermeasure, or decline it, in the customer portal."
            )
        else:
            text = _(
                "Level Medium (%(category)s): a remote denial of service or an information leak "
                "is possible. For servers with the Security Update Service we apply the OS "
                "vendor's updated packages on request, in business hours (weekdays 10:00-18:00, "
                "Japan time); work outside business hours is possible with a quote. The Standard "
                "plan covers High vulnerabilities only."
            )
        return text % params
