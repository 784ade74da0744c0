"""Report data and renderers (table, JSON, CSV)."""
