"""names: folding text for matching, with a map back to the original offsets, and its letter runs.

``fold`` casefolds once, drops accents and zero-width characters and unifies apostrophes and dashes;
``Tokens`` splits the folded text into letter runs (camelCase hashtags too) that remember where each
run was in the original, so findings point at the text as written.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterator

_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032\uff07"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TOKEN = re.compile(r"%[0-9a-f]{2}|[^\W\d_]+|\d+")


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch in _DASHES:
        return "-"
    if ch in _INVISIBLE:
        return ""
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> tuple[str, array | None]:
    """Casefolded, accent-free text with unified apostrophes and dashes; offsets map back (None = same)."""
    if text.isascii():
        return text.lower(), None
    pieces: list[str] = []
    offsets = array("q")
    cache: dict[str, str] = {}
    position = 0
    for run in re.finditer(r"[^\x00-\x7f]+", text):
        if run.start() > position:
            pieces.append(text[position:run.start()].lower())
            offsets.extend(range(position, run.start()))
        for index in range(run.start(), run.end()):
            ch = text[index]
            folded = cache.get(ch)
            if folded is None:
                folded = cache[ch] = _fold_char(ch)
            if folded:
                pieces.append(folded)
                offsets.extend([index] * len(folded))
        position = run.end()
    pieces.append(text[position:].lower())
    offsets.extend(range(position, len(text)))
    return "".join(pieces), offsets


def name_key(name: str) -> str:
    """A name as the letters that identify it: ``Amelia-Rose`` and ``amelia rose`` are ``ameliarose``."""
    folded, _ = fold(name)
    return "".join(re.findall(r"[^\W\d_]+", folded))



class Tokens:
    """Letter runs of the folded text with their separators and original offsets."""

    def __init__(self, text: str):
        self.text = text
        self.folded, self._offsets = fold(text)
        starts: list[int] = []
        ends: list[int] = []
        words: list[str] = []
        for m in _TOKEN.finditer(self.folded):
            if m.group().startswith("%"):
                continue  # %20 in a URL is a separator
            s, e = m.span()
            piece = text[self._orig(s):self._orig(e - 1) + 1]
            if len(piece) > 2 and not piece.islower() and not piece.isupper():
                for cut in self._camel_cuts(s, e):
                    starts.append(s), ends.append(cut), words.append(self.folded[s:cut])
                    s = cut
            starts.append(s), ends.append(e), words.append(self.folded[s:e])
        self.starts, self.ends, self.words = starts, ends, words

    def _orig(self, folded_offset: int) -> int:
        return folded_offset if self._offsets is None else self._offsets[folded_offset]

    def _camel_cuts(self, s: int, e: int) -> Iterator[int]:
        for k in range(s + 1, e):
            here, before = self.text[self._orig(k)], self.text[self._orig(k - 1)]
            if here.isupper() and before.islower():
                yield k

    def __len__(self) -> int:
        return len(self.words)

    def sep(self, i: int) -> str:
        """Folded text between token i and token i+1."""
        return self.folded[self.ends[i]:self.starts[i + 1]]

    def orig_start(self, i: int) -> int:
        return self._orig(self.starts[i])

    def orig_end(self, i: int) -> int:
        return self._orig(self.ends[i] - 1) + 1

    def original(self, i: int, j: int) -> str:
        return self.text[self.orig_start(i):self.orig_end(j)]


def joins_name(sep: str) -> bool:
    """Separators that keep the words of a name together: space, one line break, - _ . + ' or nothing."""
    if sep in ("", "-", "_", ".", "+", "'", "%20"):
        return True
    return sep.isspace() and sep.count("\n") <= 1


def as_shown(text: str) -> str:
    """Matched text as quoted in a message: whitespace and line breaks collapsed."""
    return " ".join(text.split())


def line_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """Start and end offsets of the line holding ``text[start:end]`` (without its newline)."""
    line_end = text.find("\n", start if end is None else end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end == -1 else line_end


def caseless(text: str) -> bool:
    """Several words written all in lower case or all in capitals: its capitals say nothing about names."""
    return len(re.findall(r"[^\W\d_]+", text)) >= 3 and (text == text.lower() or text == text.upper())
