"""Why a run of the remediation engine stopped, worded for operators and customers.

The engine reports coded reasons (:class:`~patchdesk.engine.model.work.WorkReason`, plan
refusals) with an English detail line; the desk shows the translated sentence here and keeps
the detail in the run's record.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.model.work import PlanRefusalCode, RestartOutcome, WorkReason

__all__ = ["NO_CREDENTIALS", "NO_INVENTORY", "WORKER_LOST", "reason_text", "restart_reason_text"]

NO_CREDENTIALS = "no_credentials"
NO_INVENTORY = "no_inventory"
WORKER_LOST = "worker_lost"

_R = WorkReason
_TEXTS: dict[str, Promise] = {
    _R.UNREACHABLE: _("The server could not be reached."),
    _R.TIMEOUT: _("The server did not answer in time."),
    _R.AUTH_REJECTED: _(
        "The server rejected our credentials: the service is paused until they are updated."
    ),
    _R.HOST_KEY_CHANGED: _(
        "The server's host key has changed: an operator must check and accept the new key."
    ),
    _R.HOST_KEY_NOT_PINNED: _("The server's host key is not pinned yet: scan the server first."),
    _R.PERMISSION_DENIED: _("sudo refused the administrator commands."),
    _R.NOT_PRIVILEGED: _("The login has neither root nor sudo rights."),
    _R.UNSUPPORTED_OS: _("The server's operating system is not supported."),
    _R.COMMAND_FAILED: _("The scan before the work failed."),
    _R.PLAN_STALE: _("The server is not the one the work was planned for (rescan it)."),
    _R.PACKAGE_MANAGER_MISSING: _("The package manager was not found on the server."),
    _R.WINDOW_CLOSED: _("The work window was already closed."),
    _R.DISK_SPACE_LOW: _("Not enough free disk space for the update."),
    _R.PACKAGE_MANAGER_LOCKED: _("Another program held the package manager's lock."),
    _R.PACKAGE_MANAGER_BROKEN: _(
        "The package database needs repair (for example an interrupted update): nothing was "
        "changed."
    ),
    _R.INDEX_UPDATE_FAILED: _("The package lists could not be refreshed from the mirror."),
    _R.DRY_RUN_FAILED: _("The package manager's dry run failed."),
    _R.DRY_RUN_REMOVES_PACKAGES: _("The update would have removed packages: refused."),
    _R.DRY_RUN_UNEXPECTED_PACKAGES: _(
        "The update would have installed or upgraded packages that were not requested: refused."
    ),
    _R.DRY_RUN_DOWNGRADES: _("The update would have downgraded packages: refused."),
    _R.DRY_RUN_SKIPS_PACKAGES: _("The package manager would have held back requested packages."),
    _R.FIX_NOT_AVAILABLE: _("The fixed version is not available from the server's repositories."),
    _R.KERNEL_META_MISSING: _(  # also PlanRefusalCode.KERNEL_META_MISSING (the same code)
        "The kernel fix is a new kernel package that only the kernel metapackage installs, and "
        "none is installed: install the kernel metapackage for the flavour, or update the "
        "kernel by hand."
    ),
    _R.TLS_PASSPHRASE_MISSING: _(
        "A web server needs its SSL passphrase to restart and none is on file: please enter it "
        "on the server access page."
    ),
    _R.APPLY_FAILED: _("The package manager reported an error during the update."),
    _R.APPLY_TIMEOUT: _("The update took longer than allowed."),
    _R.CONNECTION_LOST: _("The connection to the server was lost during the update."),
    _R.WINDOW_ENDED: _("The work window ended before the work was finished."),
    _R.RESCAN_FAILED: _("The server could not be scanned after the update."),
    _R.NOT_FIXED: _("The rescan shows that not every requested fix is installed."),
    _R.UNEXPECTED_CHANGE: _("Packages changed that the approved update did not include."),
    _R.RESTART_FAILED: _("A service failed to restart after the update."),
    _R.REBOOT_FAILED: _("The server did not come back after the reboot."),
    _R.INTERNAL_ERROR: _("An internal error stopped the work; see the work record."),
    PlanRefusalCode.NOTHING_REQUESTED: _("There was nothing to update on this server."),
    PlanRefusalCode.INVENTORY_UNUSABLE: _(
        "The server's last scan cannot be used to plan the work: scan it again."
    ),
    PlanRefusalCode.UNSUPPORTED_PLATFORM: _(
        "patchdesk cannot drive this server's package manager."
    ),
    PlanRefusalCode.INVALID_ITEM: _("A requested package name or version is not valid."),
    NO_CREDENTIALS: _("No credentials are on file for the server."),
    NO_INVENTORY: _("The server has no successful scan yet: scan it before the work."),
    WORKER_LOST: _("The work job stopped before it could record the result; see the record."),
}


def _worded(texts: dict[str, Promise], code: str) -> str:
    text = texts.get(code)
    return str(text) if text is not None else code  # an unknown code is shown as it is


def reason_text(code: str) -> str:
    """The sentence for a reason code (the code itself when it is unknown)."""
    return _worded(_TEXTS, code)


_RESTART_TEXTS: dict[str, Promise] = {
    RestartOutcome.NOT_ALLOWED: _("not allowed in this work"),
    RestartOutcome.PASSPHRASE_MISSING: _("SSL passphrase not on file"),
    RestartOutcome.WINDOW_ENDED: _("the window ended"),
    RestartOutcome.FAILED: _("the restart failed"),
    RestartOutcome.NOT_A_SERVICE: _("not a service: restart the program by hand"),
}


def restart_reason_text(code: str) -> str:
    """Why a service still needs a restart, in a few words."""
    return _worded(_RESTART_TEXTS, code)
