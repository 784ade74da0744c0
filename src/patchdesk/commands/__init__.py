"""Implementations of the ``patchdesk`` subcommands (the thin shell over desk services)."""
