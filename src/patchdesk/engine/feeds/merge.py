"""Combine partial advisories that share an id (pure).

Some sources describe one advisory in pieces: a Red Hat VEX file is per CVE, so RHSA-2024:2447
arrives once per CVE it fixes, each time with only that CVE's packages. :func:`merge_advisories`
folds the pieces into one advisory per ``(source, id)``, independent of the input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from patchdesk.engine.feeds.advisory_terms import pick_highest_severity, sort_cve_ids
from patchdesk.engine.model.advisory import Advisory

__all__ = ["merge_advisories"]


def _merge_group(pieces: list[Advisory]) -> Advisory:
    pieces.sort(key=lambda a: (a.cve_ids, a.summary, a.details, a.published_at is None))
    first = pieces[0]
    published = [a.published_at for a in pieces if a.published_at is not None]
    modified = [a.modified_at for a in pieces if a.modified_at is not None]
    affected = {package: None for a in pieces for package in a.affected}
    return replace(
        first,
        summary=next((a.summary for a in pieces if a.summary), ""),
        details=next((a.details for a in pieces if a.details), ""),
        published_at=min(published, default=None),
        modified_at=max(modified, default=None),
        vendor_severity=pick_highest_severity(*(a.vendor_severity for a in pieces)),
        cve_ids=sort_cve_ids(cve for a in pieces for cve in a.cve_ids),
        references=tuple(dict.fromkeys(url for a in pieces for url in a.references)),
        affected=tuple(
            sorted(
                affected,
                key=lambda p: (
                    p.platform_key,
                    p.package,
                    p.name_kind,
                    p.status,
                    p.fixed_version or "",
                ),
            )
        ),
        aliases=tuple(sorted({alias for a in pieces for alias in a.aliases})),
    )


def merge_advisories(advisories: Iterable[Advisory]) -> list[Advisory]:
    """One advisory per ``(source, id)``: CVEs, packages, references and aliases united,
    the highest severity, the earliest publication and the latest modification.

    Advisories with a unique id are returned unchanged. The result is sorted by source and id.
    """
    groups: dict[tuple[str, str], list[Advisory]] = {}
    for advisory in advisories:
        groups.setdefault((advisory.source, advisory.id), []).append(advisory)
    return [
        pieces[0] if len(pieces) == 1 else _merge_group(pieces)
        for _, pieces in sorted(groups.items())
    ]
