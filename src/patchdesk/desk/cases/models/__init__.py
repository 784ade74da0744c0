"""Models of the service flow (split by concern; Django finds them through this package)."""

from patchdesk.desk.cases.models.flow import (
    Announcement,
    Case,
    CaseEvent,
    CaseItem,
    FlowSettings,
    ServerServiceState,
)
from patchdesk.desk.cases.models.notify import ContactPreference, CustomerWebhook, OutboxMessage

__all__ = [
    "Announcement",
    "Case",
    "CaseEvent",
    "CaseItem",
    "ContactPreference",
    "CustomerWebhook",
    "FlowSettings",
    "OutboxMessage",
    "ServerServiceState",
]
