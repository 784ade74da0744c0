"""Shared fixtures. The settings for the test run come from ``patchdesk_testing.plugin``."""

from __future__ import annotations
