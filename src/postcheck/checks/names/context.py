"""names: is a first name or surname alone used as a pupil's name here?

The matcher finds every register first name and surname written alone; these decisions keep the
ones used as a pupil's name. Cues (``cues.py``) speak first, both ways: a by-line or "Hope in Year 2"
is a person beyond doubt, a title, group, character or another person's name is not a pupil. Names
that are also words and have no cue go to the language model (``nlp.py``). A surname alone counts only
where it is written as a name, and next to the same pupil's first name as a family ("the Lomax twins")
it makes a full name.
"""

from __future__ import annotations

import re
from dataclasses import replace

from postcheck.checks.names.cues import Cues
from postcheck.checks.names.fold import Tokens, line_bounds, name_key
from postcheck.checks.names.index import NameIndex
from postcheck.checks.names.match import Match
from postcheck.checks.names.words import COMMON_WORDS, NOT_NAME_CAPS, word_list


_FAMILY_REACH = 300
"""Characters between a first name and its family's surname that still read as one mention (a paragraph)."""


class Usage:
    """Decisions about names written alone, over the register's name index."""

    def __init__(self, index: NameIndex):
        self.people = index.people
        self.parts = index.parts
        self.first_owners = index.first_owners

    def used_as_name(self, tokens: Tokens, match: Match, cues: Cues, sure: set[Match]) -> bool:
        """Is this first name or surname alone used as a pupil's name? Adds it to ``sure`` when a cue
        says so beyond doubt (a by-line, "Hope in Year 2"), so the language model is not asked."""
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        if match.rule == "surname-only":
            return self._surname_used(tokens, match, cues)
        if cues.clearly_a_person(start, end):
            sure.add(match)
            return True
        owners = self.first_owners.get("".join(tokens.words[match.start:match.end + 1]), ())
        surnames = tuple(name_key(self.people[p].last_name) for p in owners)
        if cues.not_a_pupil(start, end, surnames) is not None:
            return False
        if self._coordinated(tokens, match) or (cues.in_headline(start) and not cues.in_capitals(start)):
            # a headline's capitals tell the model nothing: a name there counts (fail closed); a line
            # all in capitals is read in lower case by the model instead (nlp.Context._caseless_name)
            sure.add(match)
        return True

    def reads_as_words(self, tokens: Tokens, match: Match) -> bool:
        """A pupil's full name made of common words, written in lower case in text that uses capitals:
        "Scarlet's poppy field collage" is a field of poppies, not Poppy Field. In a post written all in
        lower case ("well done poppy field!") the case says nothing, and the name counts."""
        if match.rule != "full-name":
            return False
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        written = tokens.text[start:end]
        words = tokens.words[match.start:match.end + 1]
        if written != written.lower() or not all(word in COMMON_WORDS for word in words):
            return False
        return any(c.isupper() for c in tokens.text[slice(*line_bounds(tokens.text, start, end))])

    def _surname_used(self, tokens: Tokens, match: Match, cues: Cues) -> bool:
        """A surname alone counts only where it is written as a name: capitalised, not inside a longer
        capitalised phrase (``Cross Country``, ``Sports Day``, ``Sam Turner``), title or group name."""
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        text = tokens.text
        if not text[start:start + 1].isupper():
            return False
        if self._family(tokens, match):
            return True  # "the Lomax twins"
        before = re.search(r"([A-Z][\w'’\-]*)[ \t]+$", text[max(0, start - 40):start])
        if before and before.group(1).casefold() not in NOT_NAME_CAPS:
            return False
        if re.match(r"(?:'s|’s)?[ \t]+[A-Z]", text[end:end + 4]) and not re.match(r"[ \t]+[A-Z]\b", text[end:end + 4]):
            return False  # a capitalised word follows; a lone capital is an initial ("Hollins J")
        return not (cues.in_title(start, end) or cues.group_name(start, end))

    @staticmethod
    def _family_word(tokens: Tokens, match: Match) -> str | None:
        """The word after a surname that makes it a family's name ("twins" in "the Lomax twins"), or None."""
        after = re.match(r"(?:'s|’s)?[ \t]+([^\W\d_]+)", tokens.text[tokens.orig_end(match.end):tokens.orig_end(match.end) + 20])
        word = after.group(1).casefold() if after else ""
        return word if word in word_list("siblings") | word_list("family") else None

    def _family(self, tokens: Tokens, match: Match) -> bool:
        """A surname followed by twins, family, brothers...: "the Lomax twins"."""
        return self._family_word(tokens, match) is not None

    def _coordinated(self, tokens: Tokens, match: Match) -> bool:
        """A word name in a list with a first name that is no word reads as a name: "May and Lola",
        "Scarlet and Sienna" (but not "Holly and Ivy", two words)."""
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        joint = r"(?:,|[ \t]+and|[ \t]*&)[ \t]+"
        neighbours = [m.group(1) for m in (re.search(r"([A-Z][^\W\d_]+)" + joint + "$", tokens.text[max(0, start - 30):start]),
                                           re.match(joint + r"([A-Z][^\W\d_]+)", tokens.text[end:end + 30])) if m]
        return any(key not in COMMON_WORDS and any(p.kind == "first" for p in self.parts.get(key, ()))
                   for key in map(name_key, neighbours))

    def shared_surnames(self, tokens: Tokens, kept: list[Match]) -> list[Match]:
        """A first name and the same pupil's surname (alone, or as a family) in one paragraph identify the
        pupil as surely as a full name: "Bethany and Abigail (the Lomax twins)", "... Go Lomax twins!",
        "Jacob opened the scoring ... Hollins made it two". Their matches become one full-name match
        (at the first name; the surname match is dropped from ``kept``)."""
        surnames = [m for m in kept if m.rule == "surname-only"]
        out: list[Match] = []
        for s in surnames:
            near = [f for f in kept if f.rule != "surname-only" and self._near(tokens, f, s)]
            surname = name_key(self.people[s.person].last_name)
            family = {f.person for f in near if name_key(self.people[f.person].last_name) == surname}
            as_family = self._family(tokens, s)
            children = as_family and self._family_word(tokens, s) in word_list("siblings")
            for f in near:
                if f.person != s.person or f.rule == "first-with-surname" or s not in kept:
                    continue
                # "the Lomax twins" are the children named nearby; "the Nolan family" (parents too) is
                # a pupil's only beside the name or when two of its pupils are named. A surname used
                # alone as a name ("Jacob opened the scoring ... Hollins made it two") is the pupil's
                # whose first name is in the same paragraph: both halves of one name (fail closed).
                if as_family and not (children or len(family) > 1 or self._beside(tokens, f, s)):
                    continue
                if not as_family and self._listed_apart(tokens, f, s):
                    continue  # "Oliver and Bennett are both in the team": the writer lists two people
                out.append(replace(f, rule="full-name", family=tokens.original(s.start, s.end)))
                kept[kept.index(f)] = replace(f, rule="first-with-surname")
                if s in kept:
                    kept.remove(s)
        return out

    @staticmethod
    def _listed_apart(tokens: Tokens, f: Match, s: Match) -> bool:
        """Only "and", "or", "&" or a comma between the two names: items of one list, two people."""
        first, second = sorted((f, s), key=lambda m: m.start)
        between = tokens.text[tokens.orig_end(first.end):tokens.orig_start(second.start)]
        return re.fullmatch(r"\s*(?:,|&|\band\b|\bor\b|,\s*and\b)\s*", between) is not None

    @staticmethod
    def _near(tokens: Tokens, f: Match, s: Match) -> bool:
        """A first name and a family's surname close enough to read as one mention: the same paragraph."""
        lo, hi = sorted((tokens.orig_start(f.start), tokens.orig_start(s.start)))
        return hi - lo <= _FAMILY_REACH and not re.search(r"\n\s*\n", tokens.text[lo:hi])

    @staticmethod
    def _beside(tokens: Tokens, f: Match, s: Match) -> bool:
        """Nothing but names, "and", "the" and punctuation between the first name and the family's
        name: "Bethany and Abigail (the Lomax twins)", "Harry and the Nolan family", "the Lomax
        twins, Bethany and Abigail"."""
        if f.start < s.start:
            between = tokens.text[tokens.orig_end(f.end):tokens.orig_start(s.start)]
        else:
            family_word = re.match(r"(?:'s|’s)?[ \t]+[^\W\d_]+", tokens.text[tokens.orig_end(s.end):])
            between = tokens.text[tokens.orig_end(s.end) + (family_word.end() if family_word else 0):tokens.orig_start(f.start)]
        return re.fullmatch(r"(?:[\s,;:()\[\]&\-–—]|\band\b|\bthe\b|[A-Z][\w'’\-]*)*", between) is not None
