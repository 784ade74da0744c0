"""Reading a package's Debian changelog out of a ``.deb`` file, with the standard library only.

A ``.deb`` is an ``ar`` archive (``debian-binary``, ``control.tar.*``, ``data.tar.*``). The
changelog of binary package ``P`` is ``./usr/share/doc/P/changelog.Debian.gz``, or
``changelog.gz`` for a native package (``apt``). Two indirections are handled:

* ``/usr/share/doc/P`` may be a **symlink** to the doc directory of another binary package of
  the same source (``openssh-server -> openssh-client``, ``libgcc-s1 -> gcc-12-base``): the
  result names that package in :attr:`DebDoc.doc_symlink` and the caller reads its ``.deb``;
* the changelog file itself may be a symlink within the directory (``unzip``:
  ``changelog.gz -> History.600.gz``): it is followed.

The data member is streamed (``tarfile`` mode ``r|``), so a large package is never held in
memory; only files directly in the package's doc directory are kept (each at most
:data:`MAX_DOC_FILE_BYTES`). ``data.tar.xz``, ``.gz``, ``.bz2`` and plain ``.tar`` are read;
``data.tar.zst`` (Ubuntu since 21.10) is refused: Python 3.11's standard library has no
Zstandard decompressor (:class:`DebArchiveError` says so).
"""

from __future__ import annotations

import gzip
import io
import lzma
import posixpath
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Literal

__all__ = ["MAX_DOC_FILE_BYTES", "DebArchiveError", "DebDoc", "read_deb_changelog"]

MAX_DOC_FILE_BYTES: Final = 16 * 1024 * 1024
_AR_MAGIC: Final = b"!<arch>\n"
_TarMode = Literal["r|xz", "r|gz", "r|bz2", "r|"]
_TAR_MODES: Final[dict[str, _TarMode]] = {
    "data.tar.xz": "r|xz",
    "data.tar.gz": "r|gz",
    "data.tar.bz2": "r|bz2",
    "data.tar": "r|",
}
_CHANGELOG_NAMES: Final = ("changelog.Debian.gz", "changelog.gz")


class DebArchiveError(ValueError):
    """The file is not a readable ``.deb`` (or uses a compression this module cannot read)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DebDoc:
    """What the package's doc directory holds: its changelog, or a link to another package's."""

    package: str
    changelog: str | None = None  # decompressed changelog text (UTF-8, bad bytes replaced)
    changelog_path: str = ""  # "usr/share/doc/libexpat1/changelog.Debian.gz"
    doc_symlink: str = ""  # "/usr/share/doc/P" is a symlink to this package's directory


class _Slice(io.RawIOBase):
    """``size`` bytes of ``stream`` from its current position (one ar member)."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._stream, self._left = stream, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        data = self._stream.read(min(len(buffer), self._left))
        if not data:
            raise DebArchiveError("the .deb ends inside an archive member")
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def _data_member(stream: BinaryIO) -> tuple[str, int]:
    """Advance ``stream`` to the data.tar member; its name and size."""
    if stream.read(len(_AR_MAGIC)) != _AR_MAGIC:
        raise DebArchiveError("not a .deb: no ar archive header")
    while header := stream.read(60):
        if len(header) != 60 or header[58:60] != b"`\n":
            raise DebArchiveError("damaged ar member header")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        size_text = header[48:58].decode("ascii", "replace").strip()
        if not size_text.isdigit():
            raise DebArchiveError(f"bad ar member size {size_text!r}")
        size = int(size_text)
        if name.startswith("data.tar"):
            return name, size
        stream.seek(size + (size % 2), io.SEEK_CUR)
    raise DebArchiveError("no data.tar member")


def _decompress(member_name: str, data: bytes) -> str:
    if member_name.endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
                text = unpacked.read(MAX_DOC_FILE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise DebArchiveError(f"{member_name}: damaged gzip data: {error}") from None
        if len(text) > MAX_DOC_FILE_BYTES:
            raise DebArchiveError(f"{member_name}: more than {MAX_DOC_FILE_BYTES} bytes")
        data = text
    return data.decode("utf-8", errors="replace")


def _doc_entries(tar: tarfile.TarFile, doc_dir: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """Regular files and symlinks directly in ``doc_dir`` (and ``doc_dir`` itself)."""
    files: dict[str, bytes] = {}
    links: dict[str, str] = {}
    for member in tar:
        name = posixpath.normpath(member.name.lstrip("./").lstrip("/"))
        if name == doc_dir and member.issym():
            links[name] = member.linkname
        elif posixpath.dirname(name) != doc_dir:
            continue
        elif member.issym():
            links[name] = member.linkname
        elif member.isfile() and member.size <= MAX_DOC_FILE_BYTES:
            extracted = tar.extractfile(member)
            if extracted is not None:
                files[name] = extracted.read()
    return files, links


def _read(stream: BinaryIO, package: str) -> DebDoc:
    member_name, size = _data_member(stream)
    mode = _TAR_MODES.get(member_name)
    if mode is None:
        reason = "Python's standard library has no zstd" if member_name.endswith(".zst") else ""
        raise DebArchiveError(f"cannot read {member_name} {reason}".strip())
    doc_dir = f"usr/share/doc/{package}"
    try:
        with tarfile.open(fileobj=io.BufferedReader(_Slice(stream, size)), mode=mode) as tar:
            files, links = _doc_entries(tar, doc_dir)
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError) as error:
        raise DebArchiveError(f"{member_name}: {type(error).__name__}: {error}") from None
    if doc_dir in links:
        target = posixpath.basename(posixpath.normpath(links[doc_dir]))
        return DebDoc(package=package, doc_symlink=target)
    for changelog in _CHANGELOG_NAMES:
        path = f"{doc_dir}/{changelog}"
        for _ in range(4):  # follow a few symlinks inside the directory
            if path not in links:
                break
            path = posixpath.normpath(posixpath.join(doc_dir, links[path]))
        if path in files:
            return DebDoc(
                package=package, changelog=_decompress(path, files[path]), changelog_path=path
            )
    return DebDoc(package=package)


def read_deb_changelog(deb: Path | BinaryIO, package: str) -> DebDoc:
    """The Debian changelog of binary ``package`` in the ``.deb`` at ``deb`` (a path or a file
    opened for binary reading); :class:`DebArchiveError` when the file is not a usable .deb."""
    if isinstance(deb, Path):
        with deb.open("rb") as stream:
            return _read(stream, package)
    return _read(deb, package)
