"""National public holidays from the ``holidays`` package, cached per country and year."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import holidays

__all__ = ["national_holidays"]


@functools.cache
def national_holidays(country: str, year: int, language: str | None = None) -> Mapping[date, str]:
    """The public holidays of ``country`` (ISO 3166 code, e.g. ``JP``) in ``year``, by date.

    ``language`` selects the names' language where the package has them (``ja``, ``en_US``).
    Substitute holidays (振替休日) and citizens' holidays (国民の休日) are included.
    """
    found = holidays.country_holidays(country, years=year, language=language)
    return MappingProxyType({day: str(name) for day, name in sorted(found.items())})
