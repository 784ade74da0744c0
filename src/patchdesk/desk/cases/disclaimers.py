"""The disclaimers of the service specification (§4, and §3.4 on what the service is), shown
on announcements, requests and work reports (R13, R16). The Japanese catalogue holds the
specification's own wording."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = ["DISCLAIMERS"]

DISCLAIMERS = (
    _("Incidents that occur before the countermeasure is carried out are not covered."),
    _(
        "Operation after the countermeasure (applying updates, patches and the like) is not "
        "guaranteed."
    ),
    _(
        "The safety, reliability, timeliness and performance of the update packages provided by "
        "the OS vendor are not guaranteed."
    ),
    _(
        "The service updates the target packages; it does not guarantee protection against "
        "attacks on or intrusion into the system."
    ),
)
