"""names: finding register names in the text: full names, initials, titles, first names and surnames alone.

``Matcher.walk`` goes once over the text's letter runs and notes the longest register name part
starting at each; ``combined`` turns them into full names, initials with surnames (``O. Bennett``,
team sheets' ``Bennett O``) and titled adults, longest first; ``singles`` and
``consented_mentions`` are first names and surnames alone, which the check then judges in context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from postcheck.checks.names.candidates import SchoolCues, clause_around, narrow
from postcheck.checks.names.fold import Tokens, joins_name, name_key
from postcheck.checks.names.index import NameIndex
from postcheck.checks.names.words import COMMON_WORDS, MIDDLE_STOP, PLACE_BEFORE, PLACE_WORDS, is_title


@dataclass(frozen=True)
class Match:
    start: int
    """First token index."""
    end: int
    """Last token index (inclusive)."""
    rule: str
    person: int
    first: str = ""
    candidates: tuple[int, ...] = ()
    """For a first name alone: the pupils it may mean (several share it), after narrowing."""
    family: str = ""
    """For a first name made a full name by its family's name nearby ("the Lomax twins"): that name as written."""


@dataclass(frozen=True)
class Scope:
    """What the whole post says about whom it means: its ``pupils:`` line and its folder's year or class."""

    declared: frozenset[str]
    post: SchoolCues



class Matcher:
    """Register names in a text, for one date and channel (consent decides what a first name alone is)."""

    def __init__(self, index: NameIndex, *, on: date, channel: str):
        self.on = on
        self.channel = channel
        self.people = index.people
        self.parts = index.parts
        self.prefixes = index.prefixes
        self.initials = index.initials
        self.first_owners = index.first_owners

    def consented_mentions(self, tokens: Tokens, parts_at: dict[int, tuple[int, str]],
                            claimed: set[int], scope: Scope) -> list[Match]:
        """First names of pupils with name consent, used alone: no finding, but the pupil is named."""
        out: list[Match] = []
        for i, (j, key) in sorted(parts_at.items()):
            if any(k in claimed for k in range(i, j + 1)) or self._place(tokens, i, j):
                continue
            for person in self._candidates(tokens, i, j, self.first_owners.get(key, ()), scope):
                if self.people[person].name_consent_on(self.on, self.channel):
                    out.append(Match(i, j, "mention", person))
        return out

    def walk(self, tokens: Tokens) -> dict[int, tuple[int, str]]:
        """Token index -> (last token, part key) of the longest register name part starting there."""
        found: dict[int, tuple[int, str]] = {}
        words, parts, prefixes, n = tokens.words, self.parts, self.prefixes, len(tokens)
        for i in range(n):
            acc = words[i]
            if acc not in prefixes and acc not in parts:
                continue
            if i > 0 and not self._word_start(tokens, i):
                continue
            j, best = i, None
            while True:
                if acc in parts:
                    best = (j, acc)
                if acc not in prefixes or j + 1 >= n or not joins_name(tokens.sep(j)):
                    break
                j += 1
                acc += words[j]
            if best is not None:
                found[i] = best
        return found

    @staticmethod
    def _word_start(tokens: Tokens, i: int) -> bool:
        """Not the tail of another word: ``Connor`` in ``O'Connor``, ``Donald`` in ``McDonald``."""
        sep = tokens.sep(i - 1)
        if sep == "'":
            return len(tokens.words[i - 1]) > 2  # "O'Connor", "D'Souza" are one name
        if sep == "":
            return tokens.words[i - 1] not in ("mc", "mac", "o", "d", "de", "di", "da", "le", "la", "van", "von", "fitz")
        return True

    def combined(self, tokens: Tokens, parts_at: dict[int, tuple[int, str]]) -> list[Match]:
        """Full names, initials with surnames, titles with surnames and staff names, longest first."""
        words, n = tokens.words, len(tokens)
        candidates: list[Match] = []
        for i, (j, key) in parts_at.items():
            for part in self.parts[key]:
                person = self.people[part.person]
                rule = "staff" if person.is_staff else "full-name"
                if part.kind == "full":
                    candidates.append(Match(i, j, rule, part.person, part.first))
                elif part.kind == "first":
                    # a middle name written but not in the register: "Oliver James Bennett"
                    for middle in (1, 2):
                        k = j + middle + 1
                        if k >= n:
                            break
                        if not all(joins_name(tokens.sep(m)) for m in range(j, k)):
                            break
                        if any(not tokens.original(m, m)[:1].isupper() or words[m] in MIDDLE_STOP
                               for m in range(j + 1, k)):
                            break
                        if k not in parts_at:
                            continue
                        end, last_key = parts_at[k]
                        if any(p.person == part.person and p.kind == "last" for p in self.parts[last_key]):
                            candidates.append(Match(i, end, rule, part.person, part.first))
                elif part.kind == "last" and j + 1 in parts_at:
                    sep = tokens.sep(j)
                    surname_caps = tokens.original(i, j).isupper() and len(tokens.original(i, j)) > 1
                    if re.fullmatch(r",[ \t]*\n?[ \t]*", sep) or (surname_caps and sep in (" ", "\t")):
                        end, first_key = parts_at[j + 1]
                        for p in self.parts[first_key]:
                            if p.person == part.person and p.kind == "first":
                                candidates.append(Match(i, end, rule, part.person, p.first))
            if any(p.kind == "last" for p in self.parts[key]):
                candidates.extend(self._surname_initial(tokens, i, j, key))
            # an initial with a surname: "O. Bennett", "O Bennett", "O.Bennett"
        for i in range(n - 1):
            word = words[i]
            if len(word) == 1 and i + 1 in parts_at and tokens.original(i, i).isupper():
                if i > 0 and tokens.sep(i - 1) in (".", "'"):
                    continue  # "O.B." initials or "O'Connor"
                if not re.fullmatch(r"\.?[ \t]*\n?[ \t]*", tokens.sep(i)) or tokens.sep(i) == "":
                    continue
                if word in ("a", "i") and not tokens.sep(i).startswith("."):
                    continue  # the article in "A Bennett family picnic"
                end, key = parts_at[i + 1]
                for part in self.parts[key]:
                    person = self.people[part.person]
                    if part.kind == "last" and word in self.initials[part.person]:
                        rule = "staff" if person.is_staff else "initial-surname"
                        candidates.append(Match(i, end, rule, part.person))
            if is_title(tokens.original(i, i)) and re.fullmatch(r"\.?[ \t]+|\.", tokens.sep(i)):
                k = i + 1
                if len(words[k]) == 1 and k + 1 < n and re.fullmatch(r"\.?[ \t]*", tokens.sep(k)):
                    k += 1  # "Mrs J. Clarke"
                if k in parts_at:
                    end, key = parts_at[k]
                    kinds = {p.kind for p in self.parts[key]}
                    if "last" in kinds and "full" not in kinds:
                        candidates.append(Match(i, end, "title", -1))
                    elif "first" in kinds and end + 1 in parts_at and joins_name(tokens.sep(end)):
                        # "Mrs Sarah Clarke": a titled adult, unless it is a pupil's full name
                        end2, key2 = parts_at[end + 1]
                        if "last" in {p.kind for p in self.parts[key2]}:
                            pupils = {p.person for p in self.parts[key] if p.kind == "first"}
                            if not any(p.person in pupils and p.kind == "last" and not self.people[p.person].is_staff
                                       for p in self.parts[key2]):
                                candidates.append(Match(i, end2, "title", -1))
                    elif "first" in kinds:
                        candidates.append(Match(i, end, "title", -1))  # "Miss Hope" is a member of staff
        # longest first; a pupil outranks staff on the same span (fail closed)
        order = {"full-name": 0, "initial-surname": 1, "staff": 2, "title": 3}
        candidates.sort(key=lambda m: (-(m.end - m.start), m.start, order[m.rule], m.person))
        chosen: list[Match] = []
        taken: dict[int, tuple[int, int]] = {}
        on_span: dict[tuple[int, int], list[Match]] = {}
        for match in candidates:
            span = (match.start, match.end)
            if any(taken.get(k, span) != span for k in range(match.start, match.end + 1)):
                continue
            same = on_span.setdefault(span, [])
            if any(c.person == match.person for c in same) or (match.rule in ("staff", "title") and same):
                continue
            same.append(match)
            chosen.append(match)
            for k in range(match.start, match.end + 1):
                taken[k] = span
        return chosen

    def _surname_initial(self, tokens: Tokens, i: int, j: int, key: str) -> Iterator[Match]:
        """A team sheet's surname and initial: "Hollins J", "Nolan H." identify a pupil like "J. Hollins"."""
        k = j + 1
        if k >= len(tokens) or len(tokens.words[k]) != 1 or not tokens.original(k, k).isupper():
            return
        if not tokens.original(i, i)[:1].isupper() or not re.fullmatch(r"[ \t]+", tokens.sep(j)):
            return
        after = tokens.text[tokens.orig_end(k):tokens.orig_end(k) + 3]
        if re.match(r"[ \t]*[a-z]|['’\w]", after):
            return  # "Hollins A team", "Bennett I think": not an initial
        for part in self.parts[key]:
            if part.kind == "last" and tokens.words[k] in self.initials[part.person]:
                yield Match(i, k, "staff" if self.people[part.person].is_staff else "initial-surname", part.person)

    @staticmethod
    def _initial_after(tokens: Tokens, j: int) -> str | None:
        """The surname's initial written after a first name ("Harry N", "Ivy W."), folded, or None."""
        k = j + 1
        if k >= len(tokens) or len(tokens.words[k]) != 1 or not tokens.original(k, k).isupper():
            return None
        if not re.fullmatch(r"[ \t]+", tokens.sep(j)):
            return None
        after = tokens.text[tokens.orig_end(k):tokens.orig_end(k) + 5]
        if re.match(r"['’\w\-]", after):
            return None  # "Ivy A-team", "Mohammed I'm": not an initial
        if tokens.words[k] in ("i", "a") and re.match(r"[ \t]*[a-z]", after) and not re.match(r"[ \t]+and\b", after):
            return None  # "When Mohammed I think...": the pronoun or the article, not an initial
        return tokens.words[k]

    def _candidates(self, tokens: Tokens, i: int, j: int, owners: tuple[int, ...], scope: Scope) -> tuple[int, ...]:
        """The pupils sharing a first name that this mention may mean (see name_candidates)."""
        if len(owners) < 2:
            return owners
        initial = self._initial_after(tokens, j)
        if initial is not None:  # "Mohammed I" is Mohammed Iqbal, not Mohammed Rahman
            owners = tuple(p for p in owners if name_key(self.people[p].last_name)[:1] == initial) or owners
        start, end = tokens.orig_start(i), tokens.orig_end(j)
        local = SchoolCues.in_text(clause_around(tokens.text, start, end))
        return narrow(owners, self.people, scope.declared, (local, scope.post))

    def singles(self, tokens: Tokens, parts_at: dict[int, tuple[int, str]], claimed: set[int],
                 scope: Scope) -> list[Match]:
        """First names without consent and surnames without a title, outside the longer matches."""
        out: list[Match] = []
        for i, (j, key) in sorted(parts_at.items()):
            if any(k in claimed for k in range(i, j + 1)):
                continue
            if self._place(tokens, i, j):
                continue
            owners = self.first_owners.get(key, ())
            candidates = self._candidates(tokens, i, j, owners, scope)
            lacking = [p for p in candidates if not self.people[p].name_consent_on(self.on, self.channel)]
            if lacking:  # one finding however many pupils it may be; an error because one lacks consent
                out.append(Match(i, j, "no-name-consent", lacking[0], candidates=candidates))
            if not owners:
                surnamed = sorted({p.person for p in self.parts[key] if p.kind == "last" and not self.people[p.person].is_staff})
                for person in surnamed:
                    out.append(Match(i, j, "surname-only", person))
        return out

    @staticmethod
    def _place(tokens: Tokens, i: int, j: int) -> bool:
        """``Bennett Road``, ``Grace Academy``, ``St Oliver's``: a place or organisation, not a pupil."""
        k = j + 1
        if k < len(tokens) and tokens.words[k] == "s" and tokens.sep(j) == "'":
            k += 1
        if k < len(tokens) and tokens.words[k] in PLACE_WORDS and tokens.sep(k - 1).strip() in ("", "'") \
                and tokens.original(k, k)[:1].isupper():
            return True
        return i > 0 and tokens.words[i - 1] in PLACE_BEFORE and tokens.original(i - 1, i - 1)[:1].isupper() \
            and re.fullmatch(r"\.?[ \t]+", tokens.sep(i - 1)) is not None

    @staticmethod
    def needs_context(tokens: Tokens, match: Match) -> bool:
        """A name that is also a common word, written with a capital, needs the language model."""
        key = "".join(tokens.words[match.start:match.end + 1])
        return key in COMMON_WORDS
