"""Test oracle for patchdesk's rpm version code: answers with rpm 4.18's own C code.

Run by the tests under the system interpreter (``/usr/bin/python3``, where python3-rpm imports).
Reads requests on stdin, one per line, versions hex-encoded UTF-8:
  P <hex>        -> "P ok <hex epoch|-|.> <hex version|.> <hex release|-|.>" or "P error"
                    (rpm.ver = rpmverParse: "-" is a NULL part, "." an empty one)
  V <hex> <hex>  -> "V <-1|0|1>" from rpmverCmp (rpm.ver ordering), "V x" if either is refused
  S <hex> <hex>  -> "S <-1|0|1>" from rpmvercmp() of librpmio itself (through ctypes: rpm's
                    Python API has no bare rpmvercmp that also takes empty strings)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import rpm

_LIBRPMIO = ctypes.CDLL(ctypes.util.find_library("rpmio") or "librpmio.so.9")
_RPMVERCMP = _LIBRPMIO.rpmvercmp
_RPMVERCMP.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_RPMVERCMP.restype = ctypes.c_int


def _text(field: str) -> str:
    return bytes.fromhex(field).decode("utf-8")


def _part(value: str | None) -> str:
    if value is None:
        return "-"
    return value.encode("utf-8").hex() or "."


def _answer(line: str) -> str:
    command, *fields = line.split(" ")
    texts = [_text(field) for field in fields]
    if command == "P":
        try:
            version = rpm.ver(texts[0])
        except ValueError:
            return "P error"
        return f"P ok {_part(version.e)} {_part(version.v)} {_part(version.r)}"
    if command == "V":
        try:
            a, b = rpm.ver(texts[0]), rpm.ver(texts[1])
        except ValueError:
            return "V x"
        return f"V {(a > b) - (a < b)}"
    result = _RPMVERCMP(texts[0].encode("utf-8"), texts[1].encode("utf-8"))
    return f"S {(result > 0) - (result < 0)}"


def main() -> None:
    out = sys.stdout
    for line in sys.stdin:
        out.write(_answer(line.rstrip("\n")) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
