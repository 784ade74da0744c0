"""Step 4 of Table 2: work orders in business hours (or an accepted off-hours window), the
operators' capacity per window, reminders, and the work's recorded result."""
