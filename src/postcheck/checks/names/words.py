"""names: the word lists, as data files in ``words/`` that each say where they come from."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources


def _data_lines(name: str) -> list[str]:
    """The lines of ``words/<name>.txt`` that are not ``#`` comments."""
    text = resources.files("postcheck.checks.names").joinpath("words", f"{name}.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


@functools.cache
def word_list(name: str) -> frozenset[str]:
    """``words/<name>.txt``: lowercase words separated by spaces or lines; ``#`` lines are comments."""
    return frozenset(word.casefold() for line in _data_lines(name) for word in line.split())


TITLES = word_list("titles")
"""Forms of address that mark an adult (``Mrs Clarke``, ``Miss Hope``); relation and role words never do."""
ROLE_WORDS = word_list("roles")
"""Relation and role words (sister, captain, coach): no title, but "Captain Hook" is no unknown pupil."""
ALWAYS_TITLES = frozenset({"mr", "mrs", "ms", "mx", "dr"})
"""Titles that are no other word, so a title even in lower case ("mrs clarke"); the rest ("miss", "lady",
"sir") are titles only with a capital: "We will miss Isaac" names the pupil Isaac."""


def is_title(written: str) -> bool:
    """Is this word, as written, a form of address that marks an adult (``Mrs``, ``Miss`` but not ``miss``)?"""
    word = written.rstrip(".").casefold()
    return word in TITLES and (written[:1].isupper() or word in ALWAYS_TITLES)


PLACE_WORDS = word_list("place_words")
"""Words after a name that make it a place, organisation or event (``Bennett Road``, ``Summer Fair``)."""
PLACE_BEFORE = word_list("place_before")
COMMON_WORDS = word_list("common_words")
"""Words that are also names: a name only where the context says so (``Grace sang``, not ``say grace``)."""
MIDDLE_STOP = word_list("middle_stop")
NOT_NAME_CAPS = word_list("not_name_caps")
"""Capitalised words that begin sentences or headings but are not people's names."""


@dataclass(frozen=True)
class Work:
    """A story, play or film from ``words/characters.txt`` and its characters (folded)."""

    title: str
    """As written; "*" for folklore that names no work (Jack Frost, Father Christmas)."""
    characters: frozenset[str]


@functools.cache
def works() -> tuple[Work, ...]:
    """``words/characters.txt``: one ``Title | Character; Character`` per line."""
    out = []
    for line in _data_lines("characters"):
        if "|" not in line:
            continue
        title, names = line.split("|", 1)
        out.append(Work(title.strip(), frozenset(" ".join(n.split()).casefold() for n in names.split(";") if n.strip())))
    return tuple(out)


@functools.cache
def character_names() -> frozenset[str]:
    """Characters' names of two or more words ("peter pan", "jack frost"): never an unknown pupil."""
    return frozenset(name for work in works() for name in work.characters if " " in name)
