"""Feed operations an operator starts from the console: sync now, import an uploaded file.

Syncs run in a background job (downloads can take minutes); an uploaded file is imported in the
request, then verdicts and findings are recomputed by a background job after commit.
"""

from __future__ import annotations

import logging
import lzma
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.sync import feed_file_import
from patchdesk.desk.core.errors import PatchdeskError, PermissionDeniedError
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.feeds.detect import FeedFormat, UnknownFeedFormat

logger = logging.getLogger(__name__)

__all__ = [
    "FeedFormatUnknownError",
    "FeedImportFailedError",
    "feed_upload_import",
    "feeds_sync_request",
]

# What a broken file can raise while it is read; each import run is all-or-nothing.
_READ_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    lzma.LZMAError,
)
_SUFFIX = re.compile(r"(\.[A-Za-z0-9]{1,8}){1,3}$")


class FeedFormatUnknownError(PatchdeskError):
    code = "feed_format_unknown"
    message_format = _("The file's format was not recognised: choose it in the list.")
    field = "feed_format"


class FeedImportFailedError(PatchdeskError):
    code = "feed_import_failed"
    message_format = _("The file could not be imported (nothing was changed): %(reason)s")
    field = "upload"


def _check_operator(actor: User) -> None:
    if not actor.is_operator:
        raise PermissionDeniedError()


@transaction.atomic
def feeds_sync_request(sources: Sequence[FeedSource], *, actor: User) -> list[str]:
    """Queue a sync of these sources (then a refresh of verdicts and findings) after commit."""
    from patchdesk.desk.advisories.tasks import feeds_sync_task

    _check_operator(actor)
    names = [source.name for source in sources]
    for source in sources:
        audit_record(actor=actor, action="feed.sync_request", obj=source, changes={})
    if names:
        transaction.on_commit(lambda: feeds_sync_task.enqueue(names))
    return names


def feed_upload_import(
    upload: UploadedFile,
    *,
    feed_format: FeedFormat | None,
    source_name: str,
    actor: User,
) -> list[FeedSync]:
    """Import an uploaded feed file (one report per record type), then queue the refresh."""
    from patchdesk.desk.findings.tasks import findings_reclassify

    _check_operator(actor)
    match = _SUFFIX.search(Path(upload.name or "").name)
    suffix = match.group(0) if match else ""
    uploads = Path(settings.PATCHDESK_DATA_DIR) / "feeds" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads) as directory:
        path = Path(directory) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            runs = feed_file_import(
                path, feed_format=feed_format, source_name=source_name, actor=actor
            )
        except UnknownFeedFormat:
            raise FeedFormatUnknownError() from None
        except _READ_ERRORS as exc:
            logger.warning("feed upload %s: %s", upload.name, exc)
            raise FeedImportFailedError(reason=str(exc)[:300]) from None
    transaction.on_commit(findings_reclassify.enqueue)
    return runs
