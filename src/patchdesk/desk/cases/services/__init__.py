"""Writing services of the service flow: one transaction and one audit entry each; notices
go to the outbox in the same transaction and are delivered by a job after commit."""

from patchdesk.desk.cases.services.announce import (
    announcement_confirm,
    announcement_dismiss,
    announcement_list_for_review,
    announcement_resend,
    announcements_discover,
    announcements_follow_late_findings,
)
from patchdesk.desk.cases.services.messages import case_message_post
from patchdesk.desk.cases.services.quotes import case_quote_accept, case_quote_draft, quotes_sync
from patchdesk.desk.cases.services.requests import RequestChoice, case_decline, case_request
from patchdesk.desk.cases.services.service_state import (
    server_credentials_update,
    server_passphrase_update,
    server_pause,
    server_resume,
    standing_consent_set,
)
from patchdesk.desk.cases.services.settings import (
    contact_digest_set,
    flow_settings_update,
    webhook_add,
    webhook_remove,
)
from patchdesk.desk.cases.services.verify import (
    case_verify,
    item_problem_report,
    item_problem_resolve,
    requests_expire_due,
    verifications_close_due,
)

__all__ = [
    "RequestChoice",
    "announcement_confirm",
    "announcement_dismiss",
    "announcement_list_for_review",
    "announcement_resend",
    "announcements_discover",
    "announcements_follow_late_findings",
    "case_decline",
    "case_message_post",
    "case_quote_accept",
    "case_quote_draft",
    "case_request",
    "case_verify",
    "contact_digest_set",
    "flow_settings_update",
    "item_problem_report",
    "item_problem_resolve",
    "quotes_sync",
    "requests_expire_due",
    "server_credentials_update",
    "server_passphrase_update",
    "server_pause",
    "server_resume",
    "standing_consent_set",
    "verifications_close_due",
    "webhook_add",
    "webhook_remove",
]
