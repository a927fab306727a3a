"""Reading the text files staff save, drafts (.txt, .md) and register.csv, whatever their editor's encoding.

UTF-8 (with or without a BOM) and UTF-16 with a BOM are read directly: that is what current editors and Excel's
"CSV UTF-8" and "Unicode Text" write. Anything else goes to charset-normalizer, limited to the encodings a school
office's files are in (STAFF_ENCODINGS); it says which of them give readable text, and Windows-1252 is taken
whenever it is one of them. Bytes that are readable in none of them are not text: NotText says why, and each
caller turns that into its own one-line message.
"""

from __future__ import annotations

import codecs

STAFF_ENCODINGS = ("cp1252", "mac_roman", "utf_16_le", "utf_16_be")
"""The encodings staff's files are in when they are not UTF-8: Windows-1252 (Notepad's "ANSI", Word's plain text
and Excel's "CSV (Comma delimited)" on Windows), Mac Roman (Excel for Mac's "CSV (Macintosh)") and UTF-16 whose BOM
was lost. Windows-1252 comes first and wins whenever charset-normalizer finds it readable: on short texts it cannot
tell it from Mac Roman (``Zoë`` is readable in both), and nearly every office file that is not UTF-8 comes from
Windows. Mac Roman is read when Windows-1252 is not readable: the text is garbled in it, or it holds bytes
Windows-1252 leaves undefined (Mac Roman's ``è``, ``ê``, ``ç``, ``ù``) beyond the few stray ones a long draft may
have."""

_UTF16 = ("utf_16_le", "utf_16_be")
STRAY_BYTES = 2
"""Bytes Windows-1252 leaves undefined that a file may hold (or 1 in 100, when more) and still be a Windows file
with a few stray bytes rather than Mac Roman: the tolerance postcheck's drafts have always had."""


class NotText(Exception):
    """The bytes are not text in any encoding staff use."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why
        """``binary`` (it looks like a binary file), ``broken-utf16`` (a UTF-16 BOM, then bytes that are not
        UTF-16) or ``unreadable`` (text, but in no encoding it can be read in)."""


def decode(raw: bytes, *, replace_stray: bool = False) -> str:
    """The text of ``raw``. A Windows-1252 file with a few stray bytes it leaves undefined (at most
    max(2, 1 in 100)) is read with U+FFFD for them when ``replace_stray`` (a long draft), else refused (the
    register: a name must never silently change); it is never taken for Mac Roman, which would garble every quote."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise NotText("broken-utf16") from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if _looks_binary(raw):
        return _utf16_without_bom(raw)
    try:
        return raw.decode("utf-8")  # the fast path: most files, and every file postcheck writes
    except UnicodeDecodeError:
        pass
    return _detected(raw, replace_stray)


def _utf16_without_bom(raw: bytes) -> str:
    """UTF-16 text whose BOM was lost has a NUL in every other byte; anything else with NULs is binary."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(raw, cp_isolation=list(_UTF16)).best()
    if best is None:
        raise NotText("binary")
    return str(best)


def _detected(raw: bytes, replace_stray: bool) -> str:
    import charset_normalizer  # only for files that are not UTF-8

    readable = {match.encoding: match for match in charset_normalizer.from_bytes(raw, cp_isolation=list(STAFF_ENCODINGS))}
    if "cp1252" in readable:
        return str(readable["cp1252"])
    windows = raw.decode("cp1252", errors="replace")
    undefined = windows.count("\ufffd")
    if 0 < undefined <= max(STRAY_BYTES, len(raw) // 100):
        if replace_stray:
            return windows
        raise NotText("unreadable")
    if readable:
        return str(next(iter(readable.values())))  # best first
    if undefined == 0:
        return windows  # every byte is a Windows-1252 character, however odd the text: read it, as postcheck always has
    raise NotText("unreadable")


def _looks_binary(raw: bytes) -> bool:
    """NUL bytes, or more than one byte in twenty a control character: no text editor writes that."""
    sample = raw[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) // 20
