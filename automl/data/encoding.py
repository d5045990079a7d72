"""The text encoding of a table file: UTF-8 (a byte-order mark dropped), UTF-16 when it starts with that mark, and
otherwise only the encoding a person names (``--encoding``, ``AutoML(encoding=...)``), never a guessed one.

A file saved by Excel on Windows is often Windows-1252 (``cp1252``); guessing an encoding from a short table
misreads letters, so a file that is not UTF-8 is refused unless one is named. A named encoding is used only for a
file that is not valid UTF-8: an ASCII or UTF-8 file reads the same whatever is named, so a run's files may mix
them.

Example:
    >>> decode("café".encode("cp1252"), "cp1252", "sales.csv")
    ('café', 'cp1252')
    >>> decode("café".encode("utf-8"), "cp1252", "sales.csv")
    ('café', None)
    >>> checked("Latin-1"), checked(None)
    ('latin-1', None)
"""

from __future__ import annotations

import codecs
from typing import Any

from ..errors import ConfigError, DataError, invalid

UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # the byte-order marks a UTF-16 file starts with (Excel's Unicode Text)
UTF16_NOTE = ("The file is UTF-16 (it starts with that byte-order mark, as Excel's Unicode Text files do) and is read "
              "so.")
NEWLINE = b"\n"
HINT = "pass --encoding NAME (encoding= in Python; cp1252 for most files saved by Excel on Windows)"


def checked(name: str | None) -> str | None:
    """``name`` as Python's codecs spell it, or None when none is given; a ``ConfigError`` naming the fix for one
    Python does not know, or for a UTF-16 or UTF-32 one (a UTF-16 file is known by its byte-order mark)."""
    if name is None or not str(name).strip():
        return None
    try:
        found = codecs.lookup(str(name).strip()).name
    except LookupError:
        found = None
    if found is None or found.startswith(("utf-16", "utf-32")):
        raise ConfigError(invalid("encoding", "a text encoding Python knows that writes a line break as one byte, "
                                              "such as cp1252, latin-1, iso8859-15 or shift_jis", name,
                                  "Python's list is at docs.python.org/3/library/codecs.html#standard-encodings."))
    return "latin-1" if found == "iso8859-1" else found


def recorded(data: Any) -> str | None:
    """The encoding a run's ``run.json`` ``data`` says its file needed, or None (UTF-8, or a value that is not an
    encoding: a hand-edited record is read as if it had none).

    >>> recorded({"encoding": "cp1252"}), recorded({"encoding": 5}), recorded({"encoding": "nope"}), recorded(None)
    ('cp1252', None, None, None)
    """
    found = data.get("encoding") if isinstance(data, dict) else None
    try:
        return checked(found) if isinstance(found, str) else None
    except ConfigError:
        return None


def decode(raw: bytes, encoding: str | None, path: str, offset: int = 0) -> tuple[str, str | None]:
    """``raw`` (bytes of the file ``path``, from byte ``offset`` on) as text, and the named encoding when it was
    needed (None: UTF-8 or UTF-16). A ``DataError`` names the first byte that does not decode and the fix."""
    if raw[:2] in UTF16_MARKS and not offset:
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            raise DataError(f"`data` starts as UTF-16 but is not valid UTF-16: {path!r} (bytes {exc.start} to "
                            f"{exc.end}). Re-save the file as UTF-8.") from None
    try:
        return raw.decode("utf-8-sig" if not offset else "utf-8"), None
    except UnicodeDecodeError as exc:
        if encoding is None:
            raise DataError(f"`data` is not valid UTF-8: {_where(raw, exc, path, offset)}. Re-save the file as UTF-8, "
                            f"or {HINT}.") from None
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise DataError(f"`data` is neither UTF-8 nor {encoding}: {_where(raw, exc, path, offset)}. Name the "
                        "encoding it was saved in with --encoding, or re-save it as UTF-8.") from None


def _where(raw: bytes, exc: UnicodeDecodeError, path: str, offset: int) -> str:
    """Where decoding stopped, as a person finds it: the byte, its line (counted in ``raw``) and its offset."""
    line = f"at line {raw[: exc.start].count(NEWLINE) + 1} " if not offset else ""
    return f"byte 0x{raw[exc.start]:02x} {line}(byte offset {offset + exc.start}) of {path!r}"
