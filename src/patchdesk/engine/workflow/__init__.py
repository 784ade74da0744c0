"""The service flow (R6, R7, R13, Table 2): who is told, what customers may request, when
work can happen, and how a case moves from announcement to verification. Pure rules; the desk
(``cases`` and ``work`` apps) persists, mails and schedules."""
