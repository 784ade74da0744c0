"""Why a version string is refused: :class:`InvalidVersion` and its machine-readable reasons."""

from __future__ import annotations

import enum

__all__ = ["InvalidVersion", "Reason"]


class Reason(enum.StrEnum):
    """Machine-readable reason codes. The dpkg ones are named after dpkg 1.21's own messages."""

    # Refused by every format: the C tools cannot receive these strings at all.
    NUL_CHARACTER = "nul-character"
    NOT_ENCODABLE = "not-encodable"
    EMPTY = "empty"
    # dpkg errors (``parseversion()`` fails; ``dpkg --compare-versions`` exits with an error).
    EMBEDDED_SPACES = "embedded-spaces"
    EPOCH_EMPTY = "epoch-empty"
    EPOCH_NOT_NUMBER = "epoch-not-number"
    EPOCH_NEGATIVE = "epoch-negative"
    EPOCH_TOO_BIG = "epoch-too-big"
    NOTHING_AFTER_COLON = "nothing-after-colon"
    REVISION_EMPTY = "revision-empty"
    UPSTREAM_EMPTY = "upstream-empty"
    # dpkg warnings: dpkg accepts and compares the version but warns. Refused only when a
    # caller asks for ``strict=True``; otherwise recorded on ``DpkgVersion.warning``.
    UPSTREAM_NOT_DIGIT = "upstream-not-digit"
    UPSTREAM_BAD_CHARACTER = "upstream-bad-character"
    REVISION_BAD_CHARACTER = "revision-bad-character"
    # apk (apk-tools ``apk_version_validate()`` is false).
    APK_NO_LEADING_DIGIT = "apk-no-leading-digit"
    APK_BAD_CHARACTER = "apk-bad-character"
    APK_MISPLACED = "apk-misplaced"
    APK_UNKNOWN_SUFFIX = "apk-unknown-suffix"
    APK_MISSING_NUMBER = "apk-missing-number"
    APK_MISSING_HASH = "apk-missing-hash"


class InvalidVersion(ValueError):
    """A version string the real tool refuses. Carries the kind, the string and the reason."""

    kind: str
    text: str
    reason: Reason
    detail: str

    def __init__(self, kind: str, text: str, reason: Reason, detail: str) -> None:
        super().__init__(f"invalid {kind} version {text!r}: {detail}")
        self.kind = kind
        self.text = text
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[InvalidVersion], tuple[str, str, Reason, str]]:
        return (type(self), (self.kind, self.text, self.reason, self.detail))
