"""The pure engine: versions, collection, feeds, matching, policy, calendar, workflow, remediation.

Nothing under this package imports Django, the desk or settings; everything it needs arrives as
arguments. An import-linter contract in ``make test`` enforces this.
"""
