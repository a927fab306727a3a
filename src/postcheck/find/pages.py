"""A saved web page as the names check reads it: its visible text and the text a screen reader speaks.

Parsed with the standard library's ``html.parser`` (a tolerant, maintained tokenizer that needs no
dependency; a page is read, never rendered). Text inside ``<script>``, ``<style>`` and ``<template>`` is
left out; ``alt``, ``title`` and ``aria-label`` attributes are read as lines of their own (a photo's alt
text often names the pupil in it). Every piece keeps where it came from, so a name found in the text is
reported at its line and column in the ``.html`` file.
"""

from __future__ import annotations

import bisect
import re
from html.parser import HTMLParser
from pathlib import Path

from postcheck.post import Draft

MAX_PAGE_BYTES = 20_000_000
SKIPPED = {"script", "style", "template", "noscript"}
BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article", "header", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "blockquote", "title", "nav", "aside", "main",
    "dt", "dd", "hr", "img", "caption", "pre", "address", "form", "label", "option", "button",
}
SPOKEN_ATTRIBUTES = ("alt", "title", "aria-label")


class PageError(Exception):
    pass


class _Reader(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.pieces: list[tuple[str, int]] = []
        """(text, offset into the source where it starts)."""
        self._skipping = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skipping += 1
        if tag in BLOCKS:
            self.pieces.append(("\n", self._offset()))
        raw = self.get_starttag_text() or ""
        start = self._offset()
        for name, value in attrs:
            if name in SPOKEN_ATTRIBUTES and value and value.strip():
                at = re.search(rf"""\s{re.escape(name)}\s*=\s*["']?""", raw, re.IGNORECASE)
                where = start + (at.end() if at else 0)
                self.pieces.append(("\n", where))
                self.pieces.append((value, where))
                self.pieces.append(("\n", where + len(value)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED:
            self._skipping -= 1

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1
        if tag in BLOCKS:
            self.pieces.append(("\n", self._offset()))

    def handle_data(self, data):
        if not self._skipping:
            self.pieces.append((data, self._offset()))


def read_page(path: Path, display: str) -> tuple[Draft, callable]:
    """The page's text as a Draft, and a function from an offset in that text to (line, column) in the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PageError(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_PAGE_BYTES:
        raise PageError(f"is {len(raw) // 1_000_000} MB, too large for a web page")
    source = _decode(raw).replace("\r\n", "\n").replace("\r", "\n")
    reader = _Reader(source)
    try:
        reader.feed(source)
        reader.close()
    except Exception as exc:  # html.parser is tolerant; anything it still cannot read is an unreadable page
        raise PageError(f"is not a web page postcheck can read ({type(exc).__name__})") from None
    text_starts, source_starts, parts = [], [], []
    length = 0
    for piece, where in reader.pieces:
        text_starts.append(length)
        source_starts.append(where)
        parts.append(piece)
        length += len(piece)
    text = "".join(parts)
    line_starts = reader._line_starts

    def position(offset: int) -> tuple[int, int]:
        index = max(0, bisect.bisect_right(text_starts, offset) - 1)
        at = source_starts[index] + (offset - text_starts[index]) if text_starts else 0
        line = bisect.bisect_right(line_starts, at) - 1
        return line + 1, at - line_starts[line] + 1

    return Draft.of(path, display, text), position


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), else the charset the page declares, else Windows-1252 (never fails)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"""charset=["']?([A-Za-z0-9_.:-]+)""", raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace")
