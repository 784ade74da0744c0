"""What every parsed version shares: ordering by its sort key, never across kinds."""

from __future__ import annotations

from typing import ClassVar

from patchdesk.engine.model.platform import PackageFormat

__all__ = ["VersionBase", "check_text"]


def check_text(kind: PackageFormat, text: object) -> str:
    """``text`` itself when it is a ``str``; a ``TypeError`` for anything else."""
    if type(text) is str:
        return text
    if isinstance(text, str):
        return str(text)
    raise TypeError(f"a {kind} version must be a str, not {type(text).__name__}")


class VersionBase:
    """Mixin for the frozen version dataclasses: equality, hashing and order come from ``key``.

    Two versions are equal when the package manager says so (dpkg: ``1.0`` equals ``1.00`` and
    ``0:1.0-0``), which is when their keys are equal. Ordering a dpkg version against an rpm one
    is a ``TypeError``; ``==`` between kinds is simply false.
    """

    __slots__ = ()
    kind: ClassVar[PackageFormat]
    key: bytes

    def _other_key(self, other: object) -> bytes | None:
        if not isinstance(other, VersionBase):
            return None
        if other.kind is not self.kind:
            raise TypeError(f"cannot order a {self.kind} version against a {other.kind} version")
        return other.key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VersionBase):
            return NotImplemented
        return other.kind is self.kind and other.key == self.key

    def __hash__(self) -> int:
        return hash((self.kind, self.key))

    def __lt__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self.key < key

    def __le__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self.key <= key

    def __gt__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self.key > key

    def __ge__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self.key >= key
