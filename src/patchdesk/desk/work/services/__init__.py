"""Writing services of the work app: one transaction and one audit entry each."""

from patchdesk.desk.work.services.results import (
    work_order_result_record,
    work_order_start,
    work_reminders_send,
)
from patchdesk.desk.work.services.runs import work_run_request
from patchdesk.desk.work.services.scheduling import (
    standing_consent_book,
    standing_consent_book_waiting,
    work_items_withdraw,
    work_order_cancel,
    work_order_from_quote,
    work_order_schedule,
)

__all__ = [
    "standing_consent_book",
    "standing_consent_book_waiting",
    "work_items_withdraw",
    "work_order_cancel",
    "work_order_from_quote",
    "work_order_result_record",
    "work_order_schedule",
    "work_order_start",
    "work_reminders_send",
    "work_run_request",
]
