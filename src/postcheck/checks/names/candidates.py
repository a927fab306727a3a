"""names: which of several pupils with the same first name a post means.

In a large school "Harry" is many pupils. Staff tell them apart the way the post does: a front-matter
line naming the pupils (``pupils: P017, P042``), a year group or class next to the name ("Harry in
Year 3", "Harry (3B)", "Class Oak"), or the post's folder ("drafts/year-3-trip/"). The register's
optional year group and form columns (``Person.year_group``, ``Person.form``) say who is where.
Narrowing never invents certainty: a cue that matches none of the candidates leaves them all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from postcheck.register import Person

_DECLARED = re.compile(r"^[ \t]*pupils[ \t]*:[ \t]*(.+?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_YEAR = re.compile(r"\b(?:Year|Yr|Y)[ \t]?(\d{1,2})\b|\b(Reception|Nursery)\b")
_FORM = re.compile(r"\b(\d{1,2}[A-Z]{1,3})\b|\bClass[ \t]+([A-Z][\w'’\-]*)|\b([A-Z][\w'’\-]*)[ \t]+Class\b")
_CLAUSE = re.compile(r"[.!?]+\s|\n")
_FRONT_MATTER_LINES = 12


def declared_pupils(text: str) -> frozenset[str]:
    """Pupil ids of a ``pupils: P017, P042`` line among the draft's first lines (front matter)."""
    head = "\n".join(text.split("\n", _FRONT_MATTER_LINES)[:_FRONT_MATTER_LINES])
    m = _DECLARED.search(head)
    return frozenset(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", m.group(1))) if m else frozenset()


def year_key(value: str) -> str:
    """``Year 3``, ``Y3``, ``3``, ``03`` -> ``3``; ``Reception``, ``R``, ``YR`` -> ``R``; ``Nursery`` -> ``N``."""
    folded = value.strip().casefold()
    if folded in ("r", "yr", "rec", "reception", "year r", "year reception"):
        return "R"
    if folded in ("n", "nur", "nursery", "n1", "n2"):
        return "N"
    digits = re.search(r"\d{1,2}", folded)
    return str(int(digits.group())) if digits else ""


def form_key(value: str) -> str:
    """``3B`` -> ``3b``; ``Class Oak``, ``Oak class``, ``Oak`` -> ``oak``."""
    folded = re.sub(r"\bclass\b", "", value.casefold())
    return "".join(re.findall(r"[^\W_]+", folded))


@dataclass(frozen=True)
class SchoolCues:
    """Year groups and forms a piece of text points at."""

    years: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()

    @classmethod
    def in_text(cls, text: str) -> SchoolCues:
        years = {year_key(m.group(1) or m.group(2)) for m in _YEAR.finditer(text)}
        forms = set()
        for m in _FORM.finditer(text):
            code, named_after, named_before = m.groups()
            if code:
                forms.add(form_key(code))
                years.add(year_key(code))
            else:
                forms.add(form_key(named_after or named_before))
        return cls(frozenset(years - {""}), frozenset(forms - {""}))

    @classmethod
    def in_path(cls, display: str) -> SchoolCues:
        """The post's folder and file name: ``drafts/year-3-trip/post.md``, ``3B-science.docx``."""
        words = re.sub(r"[-_./\\]+", " ", display)
        words = re.sub(r"\b(year|yr|y|class|reception|nursery)\b", lambda m: m.group().capitalize(), words,
                       flags=re.IGNORECASE)
        words = re.sub(r"\b(\d{1,2})([a-z]{1,3})\b", lambda m: m.group(1) + m.group(2).upper(), words)
        return cls.in_text(words)

    def __bool__(self) -> bool:
        return bool(self.years or self.forms)


def clause_around(text: str, start: int, end: int) -> str:
    """The sentence or line holding [start, end): where a year group or class next to a name is."""
    before = [m.end() for m in _CLAUSE.finditer(text, max(0, start - 200), start)]
    after = _CLAUSE.search(text, end, end + 200)
    return text[before[-1] if before else max(0, start - 200):after.start() if after else end + 200]


def narrow(candidates: Sequence[int], people: Sequence[Person], declared: frozenset[str],
           cues: Sequence[SchoolCues]) -> tuple[int, ...]:
    """The candidates a post can mean: those it declares, else those in the year group or class of the
    first cue (nearest first) that matches any of them; all of them when nothing narrows."""
    chosen = tuple(candidates)
    if len(chosen) < 2:
        return chosen
    named = tuple(p for p in chosen if people[p].pupil_id in declared)
    if named:
        return named
    for cue in cues:
        if not cue:
            continue
        by_form = tuple(p for p in chosen if people[p].form and form_key(people[p].form) in cue.forms)
        if by_form:
            return by_form
        by_year = tuple(p for p in chosen if people[p].year_group and year_key(people[p].year_group) in cue.years)
        if by_year:
            return by_year
    return chosen
