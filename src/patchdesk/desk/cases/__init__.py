"""The service flow (R6, R7, R9, R13, R14, Table 2): announcements per OS release, cases per
advisory and customer, requests, verification, messages, the outbox and the service pause."""
